import { randomBytes } from 'node:crypto';

/** Time and ids are injected so that tests can control them; the engine never reads either. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Ids {
  runId(): string;
}

/**
 * Run ids sort by creation time: `run_` + ms in base36 + a random per-process part + a counter.
 * Random bytes per id cost more than a whole in-memory step, so they are drawn once per process.
 */
export function createIds(): Ids {
  const processPart = randomBytes(5).toString('hex');
  let counter = 0;
  return {
    runId: () => {
      counter = (counter + 1) % 2_176_782_336; // 36^6: the counter keeps a fixed width
      return `run_${Date.now().toString(36)}${counter.toString(36).padStart(6, '0')}${processPart}`;
    },
  };
}
