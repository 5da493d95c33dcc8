/**
 * Glossary
 * - flow: a graph of nodes and edges (a routine); a published flow has immutable versions.
 * - run: one execution of one flow version, with its own id, state and event log.
 * - token: a marker moving along edges; where a token stands, work happens.
 * - branch: the lineage of a token since the run started ("0", "0.1", "0.1.0"); forks add a segment.
 * - step: one execution of a node by a token (an activity call, a gateway pass, a wait…).
 * - wait: a token parked until a signal, callback, human input, decision, timer or child run.
 * - effect: something the shell must do (execute a step, start a timer…), numbered by `seq`.
 * - engine event: what happened (an input to `advance()`); run event: a fact appended to the log.
 *
 * All of it is plain serialisable data: a RunState can be JSON-encoded and decoded unchanged.
 *
 * Ownership: `advance()` updates the RunState it is given in place (its collections included)
 * and returns it. Whoever holds a run's state owns it; anyone else gets `snapshotState()`.
 * Token, pending, step and event records themselves are never edited once made: a change
 * replaces the record, so a record handed out (in an event, an effect, a snapshot) stays true.
 */
import type { ErrorInfo } from '../errors.js';
import type { LimitAction, LimitName, Limits, StepNode } from '../flow/compiled.js';

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);

export type RunReason =
  | 'created'
  | 'started'
  | 'resumed'
  | 'recovered'
  | 'completed'
  | 'error'
  | 'branch_failed'
  | 'user_paused'
  | 'user_cancelled'
  | 'max_steps'
  | 'max_time'
  | 'max_credits'
  | 'waiting_for_signal'
  | 'waiting_for_callback'
  | 'waiting_for_decision'
  | 'waiting_for_timer'
  | 'waiting_for_child'
  | 'waiting_for_retry'
  | 'waiting_for_message'
  | 'deadlock'
  | 'parent_cancelled';

export type TokenStatus = 'ready' | 'running' | 'waiting' | 'failed';

/** Progress of a map node held by the token standing on it. */
export interface MapProgress {
  readonly items: readonly unknown[];
  readonly results: readonly unknown[];
  /** Next item index to dispatch. */
  readonly next: number;
  readonly done: number;
  /** Items in flight or waiting for a retry. */
  readonly active: number;
  /** Attempts per item index currently in flight or retrying. */
  readonly attempts: Readonly<Record<number, number>>;
}

export interface Token {
  readonly id: number;
  readonly node: number;
  readonly status: TokenStatus;
  readonly branch: string;
  /** Edge it arrived by (joins count arrivals per incoming edge). */
  readonly via?: number;
  /** Attempt of the current step at `node` (1-based). */
  readonly attempt: number;
  /** How many times any token entered `node` before this one did (for idempotency keys in loops). */
  readonly visit: number;
  /** Seq of the effect this token waits on (step, timer, child), if any. */
  readonly seq?: number;
  /** Boundary timer seqs armed while the token is on an activity. */
  readonly boundaryTimers?: readonly number[];
  /** Seq of a wait/timeout timer. */
  readonly timeoutSeq?: number;
  /** Tokens armed together by a race gateway share its group number. */
  readonly race?: number;
  readonly map?: MapProgress;
  readonly error?: ErrorInfo;
  /** Why the token waits (derives the run's waiting reason). */
  readonly waitingFor?: 'signal' | 'callback' | 'decision' | 'timer' | 'child' | 'retry' | 'message';
}

/** Arrivals parked at a join node, per incoming edge (index in the node's `incoming`). */
export interface JoinState {
  readonly arrivals: readonly (readonly Token[])[];
  /** How many incoming edges have at least one arrival (an AND-join fires when all have). */
  readonly filled: number;
}

export type PendingEffect =
  | {
      readonly kind: 'step';
      readonly token: number;
      /** The token's branch when the step started (its step row names it). */
      readonly branch: string;
      readonly node: number;
      readonly attempt: number;
      readonly startedAt: number;
      readonly estimate: number;
      readonly input: unknown;
      readonly idempotencyKey: string;
      /** Map item index when the step is one item of a map. */
      readonly item?: number;
      /** Units of work the step recorded so far (`step.progressed`, `message.received`), oldest first. */
      readonly journal?: readonly StepUnit[];
      /** The step waits for a person's message (a conversation's turn): nothing executes it until one comes. */
      readonly waiting?: 'message';
    }
  | {
      readonly kind: 'timer';
      readonly token: number;
      readonly purpose: 'timer' | 'retry' | 'boundary' | 'timeout';
      readonly fireAt: number;
      /** purpose boundary: index in the node's boundaries. */
      readonly boundary?: number;
      /** purpose retry on a map item. */
      readonly item?: number;
      /** purpose retry: the failed attempt's input and estimate, run again as they were. */
      readonly input?: unknown;
      readonly estimate?: number;
      /**
       * purpose retry: the delay is over (the timer fired, or there was none) but the attempt has
       * not started: the run is paused or every maxParallel slot is taken. `drive` starts it.
       */
      readonly due?: boolean;
    }
  | {
      readonly kind: 'child';
      readonly token: number;
      readonly node: number;
      readonly startedAt: number;
      readonly item?: number;
      /** The child.start request, kept so that the shell can start the child again after a crash. */
      readonly start: ChildStart;
    };

export type PendingStep = Extract<PendingEffect, { kind: 'step' }>;

/**
 * A durable unit of work inside a step (a model answer, a tool call's outcome, a person's
 * message): JSON data the engine keeps on the pending step, in order, without reading it beyond
 * `kind`. An execution of the step after a crash, or after a person's message, gets the journal
 * and folds it instead of doing the work again.
 */
export interface StepUnit {
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface ChildStart {
  readonly nodeId: string;
  readonly flow: string;
  readonly version?: number;
  readonly input: unknown;
  readonly limits: Partial<Limits>;
  readonly strategy?: string;
}

/**
 * What an executor reports about how a step ran, kept in its events and on its record (an AI
 * step: model, strategy and why, tokens, credits, time to first token). JSON data.
 */
export type StepDetail = Readonly<Record<string, unknown>>;

export interface StepRecord {
  readonly status: 'completed' | 'failed';
  readonly output?: unknown;
  readonly detail?: StepDetail;
  readonly error?: ErrorInfo;
  readonly attempt: number;
  readonly at: number;
}

export interface Usage {
  /** Node entries so far (loops count every pass). */
  readonly steps: number;
  readonly credits: number;
  /** Active ms accumulated up to `activeSince` (or in total when not running). */
  readonly activeMs: number;
}

export interface RunOptions {
  readonly limits?: Partial<Limits>;
  readonly onLimit?: Partial<Record<LimitName, LimitAction>>;
  readonly env?: Record<string, unknown>;
  readonly strategy?: string;
}

export interface RunMeta {
  readonly id: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly createdAt: number;
  readonly parent?: { readonly runId: string; readonly seq: number; readonly nodeId: string };
  readonly options?: RunOptions;
  /** The workspace the run belongs to (F9.2); absent: `default`. A child run is in its parent's. */
  readonly workspace?: string;
  /** A fork: the run and the event of its log this run's log was copied from (up to it). */
  readonly forkOf?: { readonly runId: string; readonly seq: number };
}

export interface RunState {
  readonly meta: RunMeta;
  readonly status: RunStatus;
  readonly reason: RunReason;
  readonly input: unknown;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly steps: Readonly<Record<string, StepRecord>>;
  readonly tokens: readonly Token[];
  readonly joins: Readonly<Record<number, JoinState>>;
  readonly pending: Readonly<Record<number, PendingEffect>>;
  /** Signals that arrived before any wait listened for them, oldest first. */
  readonly signals: readonly { readonly name: string; readonly payload: unknown }[];
  /** How many times tokens entered each node, by node index (for idempotency keys in loops). */
  readonly visits: readonly number[];
  readonly usage: Usage;
  /** Credits reserved by steps in flight (their estimates). */
  readonly reserved: number;
  readonly activeSince: number | null;
  readonly limits: Limits;
  readonly onLimit: Readonly<Record<LimitName, LimitAction>>;
  /** A branch failed under onBranchFailure `continue`: joins stop waiting for what can no longer come. */
  readonly branchFailed: boolean;
  /** Tokens that reached an end node. */
  readonly ended: number;
  readonly nextSeq: number;
  readonly nextToken: number;
  readonly nextRace: number;
  /** Sequence number of the last event appended to the run's log. */
  readonly eventSeq: number;
  readonly updatedAt: number;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
}

// ---------------------------------------------------------------- engine events (inputs)

/** Everything `advance()` reacts to. Each is recorded in the run's log; replay folds them again. */
export type EngineEvent =
  | { readonly type: 'run.started'; readonly at: number; readonly input: unknown }
  | {
      readonly type: 'step.completed';
      readonly at: number;
      readonly seq: number;
      readonly output: unknown;
      /** Credits actually spent; defaults to the estimate. */
      readonly cost?: number;
      readonly detail?: StepDetail;
    }
  | {
      readonly type: 'step.failed';
      readonly at: number;
      readonly seq: number;
      readonly error: ErrorInfo;
      readonly cost?: number;
      readonly detail?: StepDetail;
    }
  /** A unit of work of a running step is done (its effect must not be redone): kept in its journal. */
  | { readonly type: 'step.progressed'; readonly at: number; readonly seq: number; readonly unit: StepUnit }
  /** A running step now waits for a person's message; it is executed again when one arrives. */
  | { readonly type: 'step.waiting'; readonly at: number; readonly seq: number; readonly waitingFor: 'message' }
  /** A person's message to a step waiting for one (`end`: the person ends the conversation). */
  | {
      readonly type: 'message.received';
      readonly at: number;
      readonly nodeId: string;
      readonly text: string;
      readonly end?: boolean;
      readonly by?: string;
    }
  | { readonly type: 'timer.fired'; readonly at: number; readonly seq: number }
  | { readonly type: 'signal.received'; readonly at: number; readonly name: string; readonly payload?: unknown }
  | {
      readonly type: 'callback.received';
      readonly at: number;
      readonly nodeId: string;
      readonly status: 'completed' | 'failed';
      readonly output?: unknown;
      readonly error?: ErrorInfo;
    }
  | {
      readonly type: 'decision.made';
      readonly at: number;
      readonly nodeId: string;
      readonly to: string;
      readonly by?: string;
      readonly reason?: string;
    }
  | {
      readonly type: 'child.completed';
      readonly at: number;
      readonly seq: number;
      readonly output: unknown;
      readonly usage: { readonly steps: number; readonly credits: number };
    }
  | {
      readonly type: 'child.failed';
      readonly at: number;
      readonly seq: number;
      readonly error: ErrorInfo;
      readonly usage: { readonly steps: number; readonly credits: number };
    }
  | { readonly type: 'pause.requested'; readonly at: number; readonly by?: string }
  | { readonly type: 'resume.requested'; readonly at: number; readonly by?: string }
  | { readonly type: 'cancel.requested'; readonly at: number; readonly by?: string; readonly reason?: RunReason }
  | { readonly type: 'retry.requested'; readonly at: number; readonly nodeId?: string; readonly by?: string }
  | {
      readonly type: 'limits.raised';
      readonly at: number;
      readonly limits: Partial<Limits>;
      readonly onLimit?: Partial<Record<LimitName, LimitAction>>;
    }
  /** The shell picked the run up again after a process restart: downtime is not active time. */
  | { readonly type: 'run.recovered'; readonly at: number };

export type EngineEventType = EngineEvent['type'];

export const ENGINE_EVENT_TYPES: ReadonlySet<string> = new Set<EngineEventType>([
  'run.started',
  'step.completed',
  'step.failed',
  'step.progressed',
  'step.waiting',
  'message.received',
  'timer.fired',
  'signal.received',
  'callback.received',
  'decision.made',
  'child.completed',
  'child.failed',
  'pause.requested',
  'resume.requested',
  'cancel.requested',
  'retry.requested',
  'limits.raised',
  'run.recovered',
]);

// ---------------------------------------------------------------- effects (what the shell must do)

export type Effect =
  | {
      readonly type: 'step.execute';
      readonly seq: number;
      readonly nodeId: string;
      readonly nodeType: StepNode['type'];
      readonly attempt: number;
      readonly input: unknown;
      readonly idempotencyKey: string;
      readonly timeout?: number;
      /** Map item index, when the step is one item of a map. */
      readonly item?: number;
      /** What the step recorded in earlier executions (see StepUnit); absent on its first. */
      readonly journal?: readonly StepUnit[];
    }
  /** `step`: the withdrawn step's record (the shell writes its row as cancelled). */
  | { readonly type: 'step.cancel'; readonly seq: number; readonly step: PendingStep }
  | { readonly type: 'timer.start'; readonly seq: number; readonly fireAt: number }
  | { readonly type: 'timer.cancel'; readonly seq: number }
  | ({ readonly type: 'child.start'; readonly seq: number } & ChildStart)
  | { readonly type: 'child.cancel'; readonly seq: number }
  /** The run reached a terminal status: tell the parent run, followers, waiters. */
  | { readonly type: 'run.finished'; readonly status: RunStatus; readonly output?: unknown; readonly error?: ErrorInfo };

// ---------------------------------------------------------------- run events (the log)

/** One entry of a run's append-only log. Engine events are logged with their own type and data. */
export interface RunEvent {
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  readonly nodeId?: string;
  readonly token?: number;
  readonly data?: unknown;
}

export interface Transition {
  /** The state given to `advance()`, updated in place. */
  readonly state: RunState;
  /** False when the event did nothing (a late result of a cancelled step, a second pause…). */
  readonly changed: boolean;
  readonly effects: readonly Effect[];
  readonly events: readonly RunEvent[];
}

/** A command refused because the run's status or state does not allow it (HTTP 409/400). */
export interface Rejection {
  readonly code: string;
  readonly message: string;
}
