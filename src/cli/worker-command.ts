/**
 * `runloom worker`: a long-running process that claims runs from the shared store and drives
 * them, until SIGINT/SIGTERM; then it finishes its commits and hands its runs back at once.
 */
import { RequestError } from '../errors.js';
import { type GlobalOptions, openRunloom } from './context.js';

export interface WorkerCommandOptions extends GlobalOptions {
  readonly capacity?: string;
  readonly pollMs?: string;
  readonly id?: string;
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new RequestError('BAD_REQUEST', `${name} must be a positive whole number, not '${text}'`);
  return value;
}

export async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  const capacity = positive('--capacity', options.capacity);
  const pollMs = positive('--poll-ms', options.pollMs);
  const runloom = await openRunloom(options, false, {
    worker: {
      ...(capacity ? { capacity } : {}),
      ...(pollMs ? { pollMs } : {}),
    },
    ...(options.id ? { workerId: options.id } : {}),
  });
  process.stderr.write(
    `runloom worker ${runloom.workerId} started (actions: ${runloom.actions
      .list()
      .map((a) => a.name)
      .join(', ')})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await runloom.close();
  process.stderr.write(`runloom worker ${runloom.workerId} stopped: its runs were handed back to the other workers\n`);
  return 0;
}
