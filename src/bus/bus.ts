/**
 * The bus seam: publish/subscribe of committed run events, and wake-ups for workers. Memory for
 * one process; Redis for many. Delivery is after commit, in order per publisher; a subscriber
 * that needs history reads the store first, and fills any gap from it (see runtime/follow.ts).
 * The bus is never the truth: a lost message costs latency (workers also poll), never data.
 */
import type { RunEvent } from '../engine/types.js';

export type RunEventListener = (runId: string, events: readonly RunEvent[]) => void;

/**
 * What a step is doing right now, for whoever follows the run: never stored, never replayed,
 * lost when nobody listens. It has no `seq` (it is not in the log), so it cannot be taken for a
 * stored event: a follower's position in the log stays the seq of the last stored event.
 */
export interface LiveEvent {
  /** `step.text`: a piece of a model's answer, as it is written (the whole answer is stored with the step). */
  readonly type: 'step.text';
  readonly live: true;
  readonly at: number;
  readonly nodeId: string;
  readonly attempt: number;
  readonly item?: number;
  readonly text: string;
}

export type LiveListener = (runId: string, event: LiveEvent) => void;

/** Whether a followed event is a live one (no seq) rather than one of the log. */
export const isLive = (event: RunEvent | LiveEvent): event is LiveEvent => (event as LiveEvent).live === true;

/**
 * A nudge to workers: a run needs one (`runId`: it was released with work to do, or its inbox
 * got an event), a parked run's timer is due at `timerAt`, or a step needing `action` was
 * offered to the workers that have it.
 */
export interface Wake {
  readonly runId?: string;
  readonly timerAt?: number;
  readonly action?: string;
}

export type WakeListener = (wake: Wake) => void;

/** A committed change of a swarm's context (swarm/changes.ts gives its shape). */
export type SwarmChangeListener = (swarmId: string, change: unknown) => void;

export interface Bus {
  publishRunEvents(runId: string, events: readonly RunEvent[]): void;
  /**
   * Listen to one run's events. Resolves, with the unsubscribe function, once the subscription
   * is in place: everything published after that reaches the listener.
   */
  subscribeRun(runId: string, listener: RunEventListener): Promise<() => void>;
  /**
   * Live events (not stored): cheap when nobody follows the run — the memory bus drops them at
   * once, Redis stops sending a run's for a while once one reached nobody.
   */
  publishLive(runId: string, event: LiveEvent): void;
  subscribeLive(runId: string, listener: LiveListener): Promise<() => void>;
  publishWake(wake: Wake): void;
  subscribeWake(listener: WakeListener): Promise<() => void>;
  /** A swarm's committed changes (F5.3), in the order its writers committed them. */
  publishSwarmChange(swarmId: string, change: unknown): void;
  /** Listen to one swarm's changes; resolves once in place, like `subscribeRun`. */
  subscribeSwarm(swarmId: string, listener: SwarmChangeListener): Promise<() => void>;
  /**
   * Resolves once the bus can carry messages; rejects, naming the bus, when it cannot be reached
   * at all (a wrong URL must fail at start-up, not as a stack trace at the first message). After
   * that, a lost connection is retried and messages wait for it.
   */
  ready(): Promise<void>;
  /** Whether the bus answers (readiness probes); a bus without a server always does. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
