/**
 * AI step overhead: what Runloom adds to a model call, per ai step, over calling the same mock
 * model directly (F4, issue 14: target ≤ 50 µs per step in memory). The mock answers at once,
 * so the figures are the frameworks' own cost, not a model's.
 *
 *   npm run build && node dist/bench/ai.bench.js [--steps 200] [--reps 7]
 *
 * Rows: bare `generateText`, bare `streamText` (the call Runloom makes), and a run of N
 * sequential ai steps (reasoning, no tools) on the memory store; overhead = Runloom per step −
 * bare streamText per call.
 */
import { generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { createRunloom } from '../src/runloom.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
};
const STEPS = arg('steps', 200);
const REPS = arg('reps', 7);

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 3, text: 3, reasoning: undefined },
};
const model = new MockLanguageModelV3({
  doGenerate: async () => ({
    content: [{ type: 'text', text: 'ok' }],
    finishReason: { unified: 'stop', raw: undefined },
    usage,
    warnings: [],
  }),
  doStream: async () => ({
    stream: simulateReadableStream({
      chunks: [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: 'ok' },
        { type: 'text-end', id: 't' },
        { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage },
      ],
      initialDelayInMs: null,
      chunkDelayInMs: null,
    }) as never,
  }),
});

async function timed(label: string, run: () => Promise<void>): Promise<number> {
  await run(); // warm-up
  const perStep: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const started = process.hrtime.bigint();
    await run();
    perStep.push(Number(process.hrtime.bigint() - started) / 1000 / STEPS);
  }
  perStep.sort((a, b) => a - b);
  const median = perStep[perStep.length >> 1];
  process.stdout.write(
    `${label.padEnd(44)} ${median.toFixed(1).padStart(8)} µs/step  (min ${perStep[0].toFixed(1)}, max ${perStep.at(-1)?.toFixed(1)})\n`,
  );
  return median;
}

async function main(): Promise<void> {
  const bareGenerate = await timed('bare generateText (same mock model)', async () => {
    for (let i = 0; i < STEPS; i++) await generateText({ model, prompt: `step ${i}` });
  });
  const bareStream = await timed('bare streamText, consumed', async () => {
    for (let i = 0; i < STEPS; i++) {
      const result = streamText({ model, prompt: `step ${i}` });
      for await (const _ of result.fullStream);
    }
  });
  const runloom = await createRunloom({ store: 'memory:', models: { default: { model, price: { input: 1, output: 2 } } } });
  const nodes = [
    { id: 'start', type: 'start' },
    ...Array.from({ length: STEPS }, (_, i) => ({ id: `a${i}`, type: 'ai', prompt: 'step {{vars.n}}' })),
    { id: 'done', type: 'end' },
  ];
  const ids = nodes.map((n) => n.id);
  await runloom.flows.publish({
    format: 'runloom/v1',
    id: 'ai-chain',
    defaults: { limits: { maxSteps: STEPS + 10 } },
    nodes,
    edges: ids.slice(1).map((to, i) => ({ from: ids[i], to })),
  });
  const inRunloom = await timed(`Runloom: ${STEPS} ai steps in one run (memory)`, async () => {
    const run = await runloom.runs.wait((await runloom.runs.start('ai-chain', {})).id);
    if (run.status !== 'completed') throw new Error(`run ${run.status}: ${run.error?.message}`);
  });
  await runloom.close();
  process.stdout.write(
    `\noverhead per ai step over bare streamText: ${(inRunloom - bareStream).toFixed(1)} µs (target ≤ 50); over bare generateText: ${(inRunloom - bareGenerate).toFixed(1)} µs\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
