/**
 * Prompt runs (F4.5, issue 16): what Runloom adds to time to first token over the bare AI SDK
 * stream (target p99 < 2 ms), and stored messages per second, on a SQLite file. The mock model
 * answers at once, so the figures are Runloom's own cost: resolving the variables by scope,
 * rendering, the task row written before the model is called, the channel the text goes
 * through; and for messages/s also the task's end with the run's totals in one transaction.
 *
 *   npm run build && node dist/bench/prompt.bench.js [--messages 600] [--runs 20]
 *
 * Floor, measured in the same process: bare `streamText` on the same mock (time to its first
 * text-delta; complete calls per second).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { createRunloom } from '../src/runloom.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
};
const MESSAGES = arg('messages', 600);
const RUNS = arg('runs', 20);

const usage = {
  inputTokens: { total: 40, noCache: 40, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 8, text: 8, reasoning: undefined },
};
const model = new MockLanguageModelV3({
  doStream: async () => ({
    stream: simulateReadableStream({
      chunks: [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: 'Hello ' },
        { type: 'text-delta', id: 't', delta: 'Ada!' },
        { type: 'text-end', id: 't' },
        { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage },
      ],
      initialDelayInMs: null,
      chunkDelayInMs: null,
    }) as never,
  }),
});

const PROMPT = `
format: runloom/prompt-v1
id: bench
variables:
  name: { type: string, default: Ada }
  tone: { type: string, default: warm }
system: "You write {{ vars.tone }} greetings. Today is {{ vars.current_date }}."
message: "Greet {{ vars.name }}."
`;

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Time to the first text-delta of a bare streamText call (and the call drained to its end). */
async function bareTtft(): Promise<number> {
  const started = process.hrtime.bigint();
  let first: number | undefined;
  const result = streamText({
    model,
    system: 'You write warm greetings.',
    messages: [{ role: 'user', content: 'Greet Ada.' }],
    maxRetries: 0,
  });
  for await (const part of result.fullStream) if (part.type === 'text-delta') first ??= ms(started);
  return first ?? ms(started);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runloom-prompt-bench-'));
  const runloom = await createRunloom({ store: join(dir, 'bench.db'), models: { default: model } });
  try {
    await runloom.prompts.publish(PROMPT);
    await runloom.prompts.setVariable('workspace', 'tone', 'formal');
    const runloomTtft = async (run: Awaited<ReturnType<typeof runloom.prompts.start>>) => {
      const started = process.hrtime.bigint();
      const reply = await run.send();
      let first: number | undefined;
      for await (const _ of reply) first ??= ms(started);
      await reply.done;
      return first ?? ms(started);
    };
    // Warm-up both paths, then alternate them so drift hits both alike. A new run every 20
    // messages keeps the history (sent with every message) the same size on average.
    for (let i = 0; i < 50; i++) await bareTtft();
    let run = await runloom.prompts.start('bench');
    for (let i = 0; i < 50; i++) await runloomTtft(run);
    const bare: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      if (i % 20 === 0) run = await runloom.prompts.start('bench');
      bare.push(await bareTtft());
      ours.push(await runloomTtft(run));
    }
    bare.sort((a, b) => a - b);
    ours.sort((a, b) => a - b);
    const line = (label: string, s: number[]) =>
      `| ${label.padEnd(34)} | ${pct(s, 50).toFixed(3).padStart(8)} | ${pct(s, 99).toFixed(3).padStart(8)} |`;
    console.log(`\nTime to first token, ${MESSAGES} messages each (ms)\n`);
    console.log('| path                               |      p50 |      p99 |');
    console.log('| ---------------------------------- | -------: | -------: |');
    console.log(line('bare streamText (floor)', bare));
    console.log(line('Runloom prompt run (SQLite)', ours));
    const overhead = pct(ours, 99) - pct(bare, 99);
    console.log(`\noverhead at p99: ${overhead.toFixed(3)} ms (target < 2 ms) ${overhead < 2 ? 'OK' : 'OVER'}`);
    console.log(`overhead at p50: ${(pct(ours, 50) - pct(bare, 50)).toFixed(3)} ms`);

    // Stored messages/s: RUNS runs at once, each sending its share of messages in turn.
    const per = Math.ceil(MESSAGES / RUNS);
    const runs = await Promise.all(Array.from({ length: RUNS }, () => runloom.prompts.start('bench')));
    let started = process.hrtime.bigint();
    await Promise.all(
      runs.map(async (r) => {
        for (let i = 0; i < per; i++) await (await r.send(i === 0 ? undefined : `again ${i}`)).done;
      }),
    );
    const stored = (RUNS * per) / (ms(started) / 1000);
    started = process.hrtime.bigint();
    await Promise.all(
      runs.map(async () => {
        for (let i = 0; i < per; i++) await bareTtft();
      }),
    );
    const floor = (RUNS * per) / (ms(started) / 1000);
    console.log(`\nMessages, ${RUNS} runs at once × ${per} messages each`);
    console.log(`  stored messages/s (task start + end with totals, SQLite): ${stored.toFixed(0)}`);
    console.log(`  bare streamText calls/s (floor):                          ${floor.toFixed(0)}`);
    console.log(`  ratio: ${(stored / floor).toFixed(2)} of the floor`);
    for (const r of runs) {
      const info = await r.info();
      const tasks = await r.history();
      if (info.totals.credits !== tasks.reduce((s, t) => s + t.credits, 0)) throw new Error(`run ${r.id}: totals drifted`);
    }
  } finally {
    await runloom.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
