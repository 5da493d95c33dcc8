/**
 * CLI cold start: wall time of `runloom --help` (the compiled CLI, as `npx runloom` runs it) next
 * to a bare `node -e 0` on the same machine, so the figure is read against the floor of starting
 * Node at all. Target: ≤ 300 ms. Each start is a new process, one after another.
 *
 *   npm run build && node dist/bench/cli-start.bench.js [--runs 20]
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
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

/**
 * Reports the CPU time the process used, on stderr, as it exits: on a shared machine the wall
 * time mostly measures the queue for a core, the CPU time what starting actually costs.
 */
const CPU_PROBE =
  "--import=data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\ncpu-ms '+(u.user+u.system)/1000+'\\n')})";

interface Start {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** `node <args>`, each time in a fresh process; a failing start is an error. */
function starts(args: readonly string[], runs: number): Start[] {
  const measured: Start[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [CPU_PROBE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const stderr = result.stderr.toString();
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${stderr}`);
    measured.push({ wallMs, cpuMs: Number(/cpu-ms ([\d.]+)/.exec(stderr)?.[1]) });
  }
  return measured;
}

const percentile = (values: readonly number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

const runs = parseRuns(process.argv.slice(2));
starts(['-e', '0'], 2); // warms the file cache for both
starts([BIN, '--help'], 2);
const floor = starts(['-e', '0'], runs);
const help = starts([BIN, '--help'], runs);
const row = (name: string, measured: Start[]) => {
  const wall = measured.map((s) => s.wallMs);
  const cpu = measured.map((s) => s.cpuMs);
  return `${name.padEnd(16)} wall median ${median(wall).toFixed(0).padStart(4)} ms, p90 ${percentile(wall, 0.9).toFixed(0).padStart(4)} ms · CPU median ${median(cpu).toFixed(0).padStart(4)} ms`;
};
const helpWall = median(help.map((s) => s.wallMs));
process.stdout.write(`CLI cold start (${runs} runs each; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)\n`);
process.stdout.write(`${row('node -e 0', floor)}\n`);
process.stdout.write(`${row('runloom --help', help)}\n`);
process.stdout.write(`target: wall ≤ ${TARGET_MS} ms: ${helpWall <= TARGET_MS ? 'met' : 'MISSED'}\n`);
