/**
 * CLI cold start: wall time of `runloom --help` (the compiled CLI, as `npx runloom` runs it) next
 * to a bare `node -e 0` on the same machine, so the figure is read against the floor of starting
 * Node at all. Target: ≤ 300 ms. Each start is a new process, one after another.
 *
 *   npm run build && node dist/bench/cli-start.bench.js [--runs 20]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/report.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
// Compiled, this file runs from dist/bench/; the CLI's entry is the repository's bin/.
const ROOT = HERE.includes('/dist/bench') ? join(HERE, '../..') : join(HERE, '..');
const BIN = join(ROOT, 'bin', 'runloom.mjs');
const TARGET_MS = 300;

function parseRuns(argv: readonly string[]): number {
  const i = argv.indexOf('--runs');
  if (i < 0) return 20;
  const runs = Number(argv[i + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, not '${argv[i + 1]}'`);
  return runs;
}

/** Wall times in ms of `node <args>`, each in a fresh process; a failing start is an error. */
function startTimes(args: readonly string[], runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return times;
}

const percentile = (values: readonly number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

const runs = parseRuns(process.argv.slice(2));
startTimes(['-e', '0'], 2); // warms the file cache for both
startTimes([BIN, '--help'], 2);
const floor = startTimes(['-e', '0'], runs);
const help = startTimes([BIN, '--help'], runs);
const row = (name: string, times: number[]) =>
  `${name.padEnd(18)} median ${median(times).toFixed(0).padStart(4)} ms   p90 ${percentile(times, 0.9).toFixed(0).padStart(4)} ms`;
process.stdout.write(`CLI cold start (${runs} runs each)\n`);
process.stdout.write(`${row('node -e 0', floor)}\n`);
process.stdout.write(
  `${row('runloom --help', help)}   target ≤ ${TARGET_MS} ms: ${median(help) <= TARGET_MS ? 'met' : 'MISSED'} · ${(median(help) - median(floor)).toFixed(0)} ms above bare node\n`,
);
