/**
 * Ctrl-C / SIGTERM while a command drives a run: the run is handed back (its steps stop, its
 * lease is freed at once so another process takes it over where it stopped, and the downtime is
 * not charged as active time), and the command says how the run goes on. It used to leave the
 * run `running` with no hint.
 */
import type { Runloom } from '../runloom.js';

const CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `watch` until it ends or a signal arrives; on a signal, closes `runloom` (handing its
 * runs back), prints where `runId` stands and how it continues, and exits.
 */
export async function untilInterrupted(runloom: Runloom, runId: string, watch: () => Promise<number>): Promise<number> {
  let stop: ((signal: keyof typeof CODES) => void) | undefined;
  const interrupted = new Promise<keyof typeof CODES>((resolve) => {
    stop = resolve;
  });
  const onInt = () => stop?.('SIGINT');
  const onTerm = () => stop?.('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    const outcome = await Promise.race([watch().then((code) => ({ code })), interrupted.then((signal) => ({ signal }))]);
    if ('code' in outcome) return outcome.code;
    await runloom.close();
    process.stderr.write(
      `\n${outcome.signal}: run ${runId} was handed back, unfinished. It goes on where it stopped with ` +
        `'runloom runs resume ${runId}' (follows it here) or in any 'runloom worker' on the same store.\n`,
    );
    // The watch still pending reads a closed store: end here rather than wait for it.
    process.exit(CODES[outcome.signal]);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
