/**
 * The storage seam. Async and dialect-neutral: SQLite (embedded default), memory (tests and the
 * in-memory benchmark) and PostgreSQL implement it, and one contract suite runs against each.
 *
 * The engine never sees it; the runtime commits each step's checkpoint through `commit()`:
 * the run's state, its new events, its finished step rows and its timer changes, in ONE
 * transaction. `commit()` takes several runs' checkpoints at once (group commit).
 */

import type { RunEvent, RunMeta, RunState, RunStatus } from '../engine/types.js';
import type { ErrorInfo } from '../errors.js';

export type Durability = 'strict' | 'normal';

export interface StoreCapabilities {
  /** Rows can be claimed without blocking (`FOR UPDATE SKIP LOCKED`): many workers. */
  readonly supportsSkipLocked: boolean;
  /** Data survives the process (false for the memory store). */
  readonly persistent: boolean;
}

export interface FlowVersionRecord {
  readonly flowId: string;
  readonly version: number;
  readonly definition: Record<string, unknown>;
  readonly createdAt: number;
}

export interface FlowSummary {
  readonly flowId: string;
  readonly name?: string;
  readonly latestVersion?: number;
  readonly hasDraft: boolean;
  readonly updatedAt: number;
}

/** One finished step execution (written once, when it ends). Keyed by (runId, seq). */
export interface StepRow {
  readonly seq: number;
  readonly nodeId: string;
  readonly branch: string;
  readonly attempt: number;
  readonly item?: number;
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface StepRecordRow extends StepRow {
  readonly runId: string;
}

export interface TimerRow {
  readonly runId: string;
  readonly seq: number;
  readonly fireAt: number;
}

/** One run's checkpoint. `state.eventSeq` is the last event's seq after this commit. */
export interface Checkpoint {
  readonly state: RunState;
  /** True for the first checkpoint of a run: inserts the run row. */
  readonly created?: boolean;
  readonly events: readonly RunEvent[];
  readonly steps: readonly StepRow[];
  readonly timersSet: readonly { readonly seq: number; readonly fireAt: number }[];
  readonly timersCleared: readonly number[];
}

export interface RunSummary {
  readonly id: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly status: RunStatus;
  readonly reason: string;
  readonly parentRunId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RunFilter {
  readonly status?: readonly RunStatus[];
  readonly flowId?: string;
  readonly parentRunId?: string;
  readonly limit?: number;
  /** Newest first by default. */
  readonly order?: 'newest' | 'oldest';
}

export interface Store {
  readonly capabilities: StoreCapabilities;

  /** Creates tables / runs migrations. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;

  // flows -------------------------------------------------------------------------------
  /** Stores an editable draft (replaces the previous draft). */
  saveDraft(flowId: string, definition: Record<string, unknown>): Promise<void>;
  getDraft(flowId: string): Promise<Record<string, unknown> | undefined>;
  /** Creates the next immutable version (1, 2, …) and returns it. */
  publishFlow(flowId: string, definition: Record<string, unknown>): Promise<FlowVersionRecord>;
  /** A version, or the latest published when `version` is undefined. */
  getFlowVersion(flowId: string, version?: number): Promise<FlowVersionRecord | undefined>;
  listFlows(): Promise<FlowSummary[]>;

  // runs --------------------------------------------------------------------------------
  /** Writes all checkpoints in one transaction (group commit). All or nothing. */
  commit(checkpoints: readonly Checkpoint[]): Promise<void>;
  loadRun(runId: string): Promise<RunState | undefined>;
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  /** Events with seq > afterSeq, oldest first. */
  readEvents(runId: string, afterSeq?: number, limit?: number): Promise<RunEvent[]>;
  listSteps(runId: string): Promise<StepRecordRow[]>;
  /** Runs in `running`/`queued` status: resumed on start-up. */
  listActiveRunIds(): Promise<string[]>;
  /** Child runs started for (parentRunId, seq), for idempotent child creation. */
  findChildRun(parentRunId: string, seq: number): Promise<string | undefined>;

  // timers ------------------------------------------------------------------------------
  /** Timers due at or before `now`, earliest first. */
  dueTimers(now: number, limit?: number): Promise<TimerRow[]>;
  /** The earliest pending timer, if any. */
  nextTimerAt(): Promise<number | undefined>;
}

/** Convenience for callers that need run metadata alone. */
export type { RunMeta };
