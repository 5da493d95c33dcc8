/**
 * The price of durable tool rounds (issue 14 item 3): every model answer and tool outcome of an
 * ai step is a recorded unit — a transition and a commit before the step goes on. This measures
 * one reasoning step of ROUNDS tool rounds (2 × ROUNDS + 1 units) against what it is made of,
 * measured in the same run: the same model and tool calls made by a plain loop with no Runloom
 * around them, and a run of 2 × ROUNDS + 1 sequential task steps (the same number of commits as
 * the units add). The step's own figure is within a model call's noise of the loop's; the ratio
 * printed is what the units' commits add to the loop.
 *
 *   npm run build && node dist/bench/ai-units.bench.js [--reps 7] [--store memory:|file]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateReadableStream, streamText, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { defineAction } from '../src/actions/action.js';
import { createRunloom } from '../src/runloom.js';

const ROUNDS = 8;
const at = process.argv.indexOf('--reps');
const REPS = at < 0 ? 7 : Number(process.argv[at + 1]);
const dir = mkdtempSync(join(tmpdir(), 'runloom-ai-units-'));

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 3, text: 3, reasoning: undefined },
};
type Prompt = Parameters<MockLanguageModelV3['doStream']>[0]['prompt'];
/** Asks for the tool until the prompt holds ROUNDS results, then answers. */
const model = new MockLanguageModelV3({
  doStream: async ({ prompt }: { prompt: Prompt }) => {
    const round = prompt.filter((m) => m.role === 'tool').length;
    const body =
      round < ROUNDS
        ? [{ type: 'tool-call', toolCallId: `c${round}`, toolName: 'count', input: `{"n":${round}}` }]
        : [
            { type: 'text-start', id: 't' },
            { type: 'text-delta', id: 't', delta: 'done' },
            { type: 'text-end', id: 't' },
          ];
    return {
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start', warnings: [] },
          ...body,
          { type: 'finish', finishReason: { unified: round < ROUNDS ? 'tool-calls' : 'stop', raw: undefined }, usage },
        ],
        initialDelayInMs: null,
        chunkDelayInMs: null,
      }) as never,
    };
  },
});
const count = defineAction({ name: 'count', input: z.object({ n: z.number() }), run: ({ n }) => ({ n }) });

async function timed(label: string, run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  process.stdout.write(`${label.padEnd(58)} ${median.toFixed(0).padStart(8)} µs  (min ${times[0].toFixed(0)})\n`);
  return median;
}

/** The same model and tool calls, with no engine: the floor. */
async function bareLoop(): Promise<void> {
  const messages: Parameters<typeof streamText>[0]['messages'] & object = [{ role: 'user', content: 'count' }];
  const tools = { count: tool({ inputSchema: z.object({ n: z.number() }) }) };
  for (;;) {
    const result = streamText({ model, messages, tools });
    const calls: { toolCallId: string; input: unknown }[] = [];
    for await (const part of result.fullStream) if (part.type === 'tool-call') calls.push(part);
    if (calls.length === 0) return;
    messages.push({
      role: 'assistant',
      content: calls.map((c) => ({ type: 'tool-call', toolCallId: c.toolCallId, toolName: 'count', input: c.input })),
    });
    const outputs = calls.map((c) => ({
      type: 'tool-result' as const,
      toolCallId: c.toolCallId,
      toolName: 'count',
      output: { type: 'json' as const, value: count.run(c.input as { n: number }, {} as never) as never },
    }));
    messages.push({ role: 'tool', content: outputs });
  }
}

async function main(): Promise<void> {
  const stores = process.argv.includes('--store')
    ? [process.argv[process.argv.indexOf('--store') + 1]]
    : ['memory:', join(dir, 'normal.db')];
  const bare = await timed(`bare loop: ${ROUNDS} tool rounds, no engine`, bareLoop);
  for (const store of stores) {
    const runloom = await createRunloom({ store, actions: [count], models: { default: model } });
    const units = 2 * ROUNDS + 1;
    const tasks = Array.from({ length: units }, (_, i) => ({ id: `t${i}`, type: 'task', action: 'count', input: { n: i } }));
    const chain = (id: string, nodes: Record<string, unknown>[]) => {
      const all = [{ id: 'start', type: 'start' }, ...nodes, { id: 'done', type: 'end' }];
      return { format: 'runloom/v1', id, nodes: all, edges: all.slice(1).map((n, i) => ({ from: all[i].id, to: n.id })) };
    };
    await runloom.flows.publish(
      chain('rounds', [{ id: 'ask', type: 'ai', prompt: 'count', tools: ['count'], maxToolRounds: ROUNDS }]),
    );
    await runloom.flows.publish(chain('tasks', tasks));
    const name = store === 'memory:' ? 'memory' : 'SQLite (normal)';
    const complete = async (flow: string) => {
      const run = await runloom.runs.wait((await runloom.runs.start(flow, {})).id);
      if (run.status !== 'completed') throw new Error(`${flow}: ${run.status} ${run.error?.message}`);
    };
    const step = await timed(`${name}: 1 ai step, ${ROUNDS} rounds (${units} recorded units)`, () => complete('rounds'));
    const floor = await timed(`${name}: ${units} task steps (the same number of commits)`, () => complete('tasks'));
    // The step's own time is a model call's noise over; a unit's commit is measured by its floor.
    const perCall = bare / (ROUNDS + 1);
    const perUnit = floor / units;
    process.stdout.write(
      `  ${name}: a unit ≈ one commit, ${perUnit.toFixed(1)} µs; a model call here ${perCall.toFixed(0)} µs; recording adds ${((100 * floor) / bare).toFixed(2)}% to the loop (the step measured ${(step / bare).toFixed(2)}× the bare loop)\n`,
    );
    await runloom.close();
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
