/**
 * One engine in one mode, in a process of its own (clean heap, its own peak RSS):
 *
 *   node --expose-gc child.mjs <engine> <mode> <W1,W2,…> <full|quick>
 *
 * Opens the engine, warms up on each workload (passes for at least WARMUP_MS), then measures each once and sends
 * a result per workload to the parent as soon as it has it (so a timeout loses only the rest).
 * W5 parks runs and reports memory per parked run instead of a rate. Context (temp dir,
 * PostgreSQL URL) comes in the environment.
 */
import { counter, SIZES, stepsPerRun, WARMUP, WARMUP_MS } from './lib/workloads.mjs';

const [engineName, mode, list, size] = process.argv.slice(2);
const workloads = list.split(',');
const sizes = SIZES[size];
const warmup = WARMUP[size];
const ctx = { dir: process.env.BENCH_DIR, pgUrl: process.env.BENCH_PG_URL };

const send = (message) => new Promise((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
const gc = () => globalThis.gc?.();
const errorText = (error) => (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function timed(run, workload, runs) {
  const before = counter.steps;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run(runs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const steps = counter.steps - before;
  const expected = runs * stepsPerRun(workload);
  if (steps !== expected) throw new Error(`${workload}: ${steps} steps ran, expected ${expected}`);
  return { steps, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function parked(run, runs) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const before = process.memoryUsage();
  const start = process.hrtime.bigint();
  await run(runs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const after = process.memoryUsage();
  return {
    runs,
    seconds,
    rssPerRun: (after.rss - before.rss) / runs,
    heapPerRun: (after.heapUsed - before.heapUsed) / runs,
  };
}

async function main() {
  const module = await import(`./engines/${engineName}.mjs`);
  let engine;
  try {
    engine = await module.open(mode, ctx);
  } catch (error) {
    for (const workload of workloads) await send({ workload, error: `open failed: ${errorText(error)}` });
    return;
  }
  try {
    const measured = workloads.filter((w) => w !== 'W5' && engine[w]);
    for (const workload of measured) {
      // Warm-up by time, not only by runs: 50 runs are 160 ms of a slow engine but 5 ms of a fast
      // one, too little for the JIT to optimise what the measurement then runs.
      const until = Date.now() + WARMUP_MS[size];
      try {
        do await timed(engine[workload], workload, warmup[workload]);
        while (Date.now() < until);
      } catch {
        // reported by the measured pass
      }
    }
    for (const workload of workloads) {
      if (!engine[workload]) {
        await send({ workload, error: engine.unsupported?.[workload] ?? 'not supported', unsupported: true });
        continue;
      }
      try {
        gc();
        const result =
          workload === 'W5' ? await parked(engine.W5, sizes.W5) : await timed(engine[workload], workload, sizes[workload]);
        await send({ workload, ...result, peakRssBytes: peakRss() });
      } catch (error) {
        await send({ workload, error: errorText(error), peakRssBytes: peakRss() });
      }
    }
  } finally {
    // A peer may keep handles open (pools, listeners): the result is sent, the process ends.
    await Promise.race([engine.close?.().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 3000))]);
  }
}

// A run that never settles (and holds no timer) lets the event loop empty: say so instead of
// exiting as if all went well.
let finished = false;
process.once('beforeExit', async () => {
  if (finished) return;
  await send({
    workload: workloads[0],
    error: 'stalled: the event loop emptied before the workload finished (a run never settled)',
  });
  process.exit(1);
});

main().then(
  () => {
    finished = true;
    process.exit(0);
  },
  async (error) => {
    await send({ workload: '*', error: errorText(error) });
    process.exit(1);
  },
);
