/**
 * The bus seam: publish/subscribe of committed run events (and, later, swarm changes and
 * wake-ups). Memory here; Redis joins for many processes. Delivery is after commit, in order per
 * run; a subscriber that needs history reads the store first (see runtime/follow.ts).
 */
import type { RunEvent } from '../engine/types.js';

export type RunEventListener = (runId: string, events: readonly RunEvent[]) => void;

export interface Bus {
  publishRunEvents(runId: string, events: readonly RunEvent[]): void;
  /** Listen to one run's events; returns the unsubscribe function. */
  subscribeRun(runId: string, listener: RunEventListener): () => void;
  close(): Promise<void>;
}
