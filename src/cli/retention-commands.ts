/**
 * `runloom runs export|prune`: retention of ended runs (F8.4). Export writes one JSON line per
 * run (its summary, last state, events and step rows); prune deletes them, a batch per
 * transaction. Running, waiting, paused and queued runs are never touched.
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import { cutOffOf, RETENTION_ENV } from './cut-off.js';
import { withRunloom } from './runs-commands.js';

const iso = (at: number) => new Date(at).toISOString();
const runsWord = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

/** Writes to stdout, waiting when its buffer is full (an export can be far larger than memory). */
async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

export function registerRetentionCommands(runs: Command): void {
  runs
    .command('export')
    .description(`print ended runs as NDJSON (one line per run: summary, state, events, steps); default cut-off ${RETENTION_ENV}`)
    .option('--before <time|duration>', 'runs that ended before this time, or longer ago than this duration (30d)')
    .action((opts: { before?: string }, command: Command) => {
      const before = cutOffOf(opts.before, Date.now()); // refused before the store is opened
      return withRunloom(command, false, async (runloom) => {
        const { exportEndedRuns } = await import('../store/retention.js');
        const count = await exportEndedRuns(runloom.store, before, (run) => writeOut(`${JSON.stringify(run)}\n`));
        // On stderr, so stdout stays pure NDJSON; the absolute time lets `prune` take exactly these runs.
        process.stderr.write(
          `exported ${runsWord(count)} that ended before ${iso(before)} (then: runloom runs prune --before ${iso(before)})\n`,
        );
        return 0;
      });
    });

  runs
    .command('prune')
    .description(`delete ended runs and everything of theirs; default cut-off ${RETENTION_ENV} (unset: nothing is deleted)`)
    .option('--before <time|duration>', 'runs that ended before this time, or longer ago than this duration (30d)')
    .option('--dry-run', 'only count the runs it would delete')
    .action((opts: { before?: string; dryRun?: boolean }, command: Command) => {
      const before = cutOffOf(opts.before, Date.now());
      return withRunloom(command, false, async (runloom, options) => {
        const count = await runloom.runs.prune(before, { dryRun: opts.dryRun ?? false });
        if (options.json)
          process.stdout.write(`${JSON.stringify({ [opts.dryRun ? 'wouldPrune' : 'pruned']: count, before: iso(before) })}\n`);
        else
          process.stdout.write(`${opts.dryRun ? 'would prune' : 'pruned'} ${runsWord(count)} that ended before ${iso(before)}\n`);
        return 0;
      });
    });
}
