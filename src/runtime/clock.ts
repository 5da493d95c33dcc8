import { randomBytes } from 'node:crypto';

/** Time and ids are injected so that tests can control them; the engine never reads either. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Ids {
  runId(): string;
}

/** Run ids sort by creation time: `run_` + ms in base36 + 8 random hex chars. */
export const randomIds: Ids = {
  runId: () => `run_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`,
};
