/**
 * Runloom engine benchmark: steps/s and per-step overhead of three workloads on the bare engine
 * core (advance() only), in memory and in embedded durable mode (SQLite normal and strict), next
 * to the raw SQLite commit floor of the same machine, with the targets of ARCHITECTURE.md
 * "Performance by design".
 *
 *   npm run bench                                      full run, writes bench/LAST_RUN.md
 *   node --import tsx bench/engine.bench.ts --quick    smoke run (< 30 s)
 *   node --cpu-prof --import tsx bench/engine.bench.ts --only memory-W1     profile one row
 *
 * Flags: see bench/lib/plan.ts. Each mode runs in its own child process (clean heap, its own peak
 * RSS) unless --inline is given or the process is being profiled.
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyse, readProfile, samplesIn } from './lib/cpu-profile.js';
import { MODES, type Mode, modesOf, type Plan, parsePlan, UsageError } from './lib/plan.js';
import { machineInfo, markdownTable, notes, rssLine, tableRows, textTable } from './lib/report.js';
import { runCore } from './lib/run-core.js';
import { type ModeResult, runMode } from './lib/run-mode.js';

const SELF = fileURLToPath(import.meta.url);
// Compiled, this file runs from dist/bench/: the report still belongs in the source tree's bench/.
const HERE = fileURLToPath(new URL('.', import.meta.url));
const LAST_RUN = join(HERE.includes('/dist/bench') ? join(HERE, '../../bench') : HERE, 'LAST_RUN.md');

const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

/** The bare engine has its own driver; every other mode runs the full runtime. */
const measure = async (plan: Plan, mode: Mode): Promise<ModeResult> =>
  mode === 'core' ? runCore(plan, progress) : runMode(plan, mode, progress);

function inChild(plan: Plan, mode: Mode): Promise<ModeResult> {
  return new Promise((resolve) => {
    const argv = process.argv.slice(2);
    const profiling =
      plan.profileDir === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', join(plan.profileDir, mode)];
    const child = fork(SELF, [...argv, '--child', mode], {
      execArgv: [...process.execArgv, '--expose-gc', ...profiling],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: ModeResult | undefined;
    child.on('message', (message) => {
      result = message as ModeResult;
    });
    child.on('exit', (code, signal) => {
      resolve(result ?? { mode, rows: [], peakRssBytes: 0, error: `child process exited (${signal ?? code}) without a result` });
    });
    child.on('error', (error) => resolve({ mode, rows: [], peakRssBytes: 0, error: error.message }));
  });
}

/** Top self time of each row's measured reps, cut out of its mode's main-thread profile. */
function printProfiles(dir: string, results: readonly ModeResult[]): void {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print('\nProfiled (--cpu-prof, 100 µs sampling): the rates above include profiler overhead.');
  for (const result of results) {
    const modeDir = join(dir, result.mode);
    const files = existsSync(modeDir) ? readdirSync(modeDir).filter((f) => f.endsWith('.cpuprofile')) : [];
    for (const window of result.windows ?? []) {
      // tsx's loader thread writes a profile too: keep the one with samples in the window.
      let best: { file: string; n: number } | undefined;
      for (const f of files) {
        const n = samplesIn(readProfile(join(modeDir, f)), window);
        if (!best || n > best.n) best = { file: join(modeDir, f), n };
      }
      if (!best || best.n === 0) {
        print(`\n${result.mode}-${window.item}: no profile samples found in ${modeDir}`);
        continue;
      }
      analyse(best.file, { top: 15, window, title: `${result.mode}-${window.item} (measured reps) — ${best.file}`, print });
    }
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const plan = parsePlan(argv, process.execArgv);

  const childMode = argv[argv.indexOf('--child') + 1] as Mode | undefined;
  if (argv.includes('--child') && childMode && (MODES as readonly string[]).includes(childMode)) {
    const result = await measure(plan, childMode);
    await new Promise<void>((resolve) => process.send?.(result, () => resolve()) ?? resolve());
    // Nothing may keep a finished child alive (a stray timer would stall the whole benchmark).
    process.exit(0);
  }

  const started = Date.now();
  const modes = modesOf(plan);
  process.stderr.write(
    `Runloom engine benchmark${plan.quick ? ' (--quick)' : ''}${plan.asyncAction ? ' (--async-action)' : ''}: ${modes.join(', ')}; ${plan.reps} reps; ${plan.inline ? 'inline' : 'one process per mode'}\n`,
  );
  const results: ModeResult[] = [];
  for (const mode of modes) results.push(plan.inline ? await measure(plan, mode) : await inChild(plan, mode));

  const rows = tableRows(results);
  const machine = machineInfo();
  const rss = rssLine(results, plan.inline);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const caveats = results.flatMap((r) => r.notes ?? []).map((n) => `! ${n}`);
  const footer = [...caveats, rss, ...notes(plan).map((n) => `- ${n}`)];
  process.stdout.write(`\n${textTable(rows)}\n\n${footer.join('\n')}\n${machine.join(' · ')}\nTotal ${seconds} s\n`);

  if (plan.profileDir !== undefined) printProfiles(plan.profileDir, results);

  if (plan.write) {
    const flags = argv.filter((a) => a !== '--write').join(' ');
    const md = [
      '# Runloom engine benchmark — last run',
      '',
      `\`npm run bench${flags ? ` -- ${flags}` : ''}\` · total ${seconds} s`,
      '',
      ...machine.map((m) => `- ${m}`),
      '',
      markdownTable(rows),
      '',
      ...caveats.map((c) => `> ${c.slice(2)}`),
      ...(caveats.length > 0 ? [''] : []),
      rss,
      '',
      ...notes(plan).map((n) => `- ${n}`),
      '',
    ].join('\n');
    writeFileSync(LAST_RUN, md);
    process.stderr.write(`wrote ${LAST_RUN}\n`);
  }

  const failed = results.some((r) => r.error !== undefined || r.rows.some((row) => row.error !== undefined));
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
