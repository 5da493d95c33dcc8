/**
 * The storage seam. Async and dialect-neutral: SQLite (embedded default), memory (tests and the
 * in-memory benchmark) and PostgreSQL implement it, and one contract suite runs against each.
 *
 * The engine never sees it; the runtime commits each step's checkpoint through `commit()`:
 * the run's new events, its finished step rows, its timer changes and, at snapshots, its state,
 * in ONE transaction. `commit()` takes several runs' checkpoints at once (group commit).
 */

import type { EngineEvent, RunEvent, RunMeta, RunState, RunStatus } from '../engine/types.js';
import type { ErrorInfo } from '../errors.js';
import type { JourneyRecords } from './journey-records.js';
import type { ChatRecords, PromptRecords } from './prompt-records.js';

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

/** A worker's hold on a run (shared stores): who, and the fence it claimed the run with. */
export interface LeaseTerms {
  readonly owner: string;
  readonly fence: number;
}

/** One run's checkpoint. `state.eventSeq` is the last event's seq after this commit. */
export interface Checkpoint {
  readonly state: RunState;
  /**
   * Whether to write `state` (default true). The runtime leaves it out of most steps — the log
   * already holds what changed — and asks for it when the run is created, changes status,
   * parks or ends, and every few dozen events: a store keeps the last snapshot, and whoever
   * loads the run folds the events after it (`foldTail`). A store may write the state anyway.
   * Without a snapshot nothing else of the run row changes (status, reason and `active` are
   * what they were), so a store can leave the row alone.
   */
  readonly snapshot?: boolean;
  /** True for the first checkpoint of a run: inserts the run row. */
  readonly created?: boolean;
  readonly events: readonly RunEvent[];
  readonly steps: readonly StepRow[];
  readonly timersSet: readonly { readonly seq: number; readonly fireAt: number }[];
  readonly timersCleared: readonly number[];
  /**
   * The run has work a worker must drive (a running branch, a step or child in flight). Shared
   * stores let workers claim active runs whose lease is free.
   */
  readonly active?: boolean;
  /**
   * Shared stores: the commit is refused with LEASE_LOST, nothing written, when the run has been
   * claimed by anyone since this fence (a stale worker never writes). Absent in embedded mode.
   */
  readonly lease?: LeaseTerms;
  /** Give the lease back with this commit (the run parked, finished, or its holder only relays). */
  readonly release?: boolean;
  /** Inbox items this checkpoint applied: deleted in the same transaction, so each applies once. */
  readonly inboxDone?: readonly number[];
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
  /** Runs of this workspace only (`default` holds the runs started without one). */
  readonly workspace?: string;
  readonly status?: readonly RunStatus[];
  readonly flowId?: string;
  readonly parentRunId?: string;
  /** Created at or after this time (ms). */
  readonly createdFrom?: number;
  /** Created before this time (ms). */
  readonly createdBefore?: number;
  /** Pagination: only runs after this one in the listing's order (the last of the previous page). */
  readonly cursor?: { readonly createdAt: number; readonly id: string };
  readonly limit?: number;
  /** Newest first by default. */
  readonly order?: 'newest' | 'oldest';
}

/** Where a listing of ended runs goes on from: the last run of the page before. */
export interface EndedRunsCursor {
  readonly createdAt: number;
  readonly id: string;
}

/** An event waiting in a run's inbox for the worker that holds the run. */
export interface InboxItem {
  readonly id: number;
  readonly event: EngineEvent;
}

/** A run just claimed, with what its new holder needs: its state, timers and inbox. */
export interface ClaimedRun {
  /** The run's last snapshot: with `tail`, the events logged after it to fold in. */
  readonly state: RunState;
  /** Stores that write the state only now and then (SQLite): the log after `state`. */
  readonly tail?: readonly RunEvent[];
  /** The fence the claim took: every commit of the holder carries it. */
  readonly fence: number;
  /** The run's last holder lost its lease (it died or stalled): its work in flight is redone. */
  readonly recovered: boolean;
  readonly timers: readonly { readonly seq: number; readonly fireAt: number }[];
  readonly inbox: readonly InboxItem[];
}

/** A step offered to the workers that have its action (its run's holder does not). */
export interface StepTask {
  readonly runId: string;
  readonly seq: number;
  readonly action: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly nodeId: string;
  readonly attempt: number;
  readonly input: unknown;
  readonly idempotencyKey: string;
  readonly item?: number;
}

/**
 * Leases of runs among many workers (F8.3), on stores that support it. Times are the database's,
 * so workers' clocks never disagree about who holds what; every lease lasts `ttlMs` from its
 * claim or last renewal.
 */
export interface Leases {
  readonly ttlMs: number;
  /**
   * Claims up to `limit` runs that need a worker — active ones, ones with inbox items or a due
   * timer — whose lease is free or expired, skipping rows another worker is claiming
   * (`FOR UPDATE SKIP LOCKED`). Each claim moves the run's fence on. With `runIds`, claims those
   * runs if their lease is free, whether they need a worker or not (a sender applying an event),
   * or with `needing` only those of them that need one (a process keeping the runs it started).
   */
  claim(owner: string, limit: number, runIds?: readonly string[], needing?: boolean): Promise<ClaimedRun[]>;
  /**
   * The earliest timer of a run nobody holds (a held run's timers are armed by its holder), of
   * these runs when given: when a worker should next claim.
   */
  nextFreeTimerAt(runIds?: readonly string[]): Promise<number | undefined>;
  /** Extends the leases still held (and of the steps being run); returns the run ids kept. */
  renew(owner: string, runIds: readonly string[]): Promise<string[]>;
  /** Gives leases back (a run with nothing to do) so others claim the runs at once. */
  release(owner: string, runIds: readonly string[]): Promise<void>;
  /**
   * Hands runs back with their work interrupted (a process shutting down): free at once, like a
   * release, but the next claim is a takeover (`recovered`): the work in flight is done again
   * and the time until then is not charged as active time.
   */
  handBack(owner: string, runIds: readonly string[]): Promise<void>;
  readInbox(runId: string): Promise<InboxItem[]>;
  /** Puts an event in a run's inbox (the sender does not hold the run). */
  send(runId: string, event: EngineEvent, at: number): Promise<void>;
  /** Drops inbox items that the run refused (nothing to record for them). */
  discard(ids: readonly number[]): Promise<void>;

  /** Offers a step to the workers that have its action (again after a crash: kept once). */
  offerStep(task: StepTask): Promise<void>;
  /** Takes back an offered step (cancelled); a worker already running it has its result refused. */
  withdrawStep(runId: string, seq: number): Promise<void>;
  /** Claims offered steps of these actions whose lease is free or expired, without blocking. */
  claimSteps(owner: string, actions: readonly string[], limit: number): Promise<StepTask[]>;
  /**
   * Ends a claimed step: deletes it and puts `event` (its result) in the run's inbox, in one
   * transaction; false (nothing written) when the step is no longer this worker's.
   */
  finishStep(owner: string, runId: string, seq: number, event: EngineEvent, at: number): Promise<boolean>;
  /** Runs held now under a lease that has not run out, by any process (a metric). */
  countHeld(): Promise<number>;
}

/** An API key as stored: never the secret, only its SHA-256 (F9.2). */
export interface ApiKeyRow {
  readonly id: string;
  readonly workspace: string;
  readonly name: string;
  readonly hash: string;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

/** API keys, each scoped to one workspace. */
export interface ApiKeyRecords {
  insert(row: ApiKeyRow): Promise<void>;
  /** Keys of a workspace (every workspace's when absent), oldest first, revoked ones included. */
  list(workspace?: string): Promise<ApiKeyRow[]>;
  byHash(hash: string): Promise<ApiKeyRow | undefined>;
  /** Marks a key revoked; false when the workspace has no such key or it was revoked already. */
  revoke(workspace: string, id: string, at: number): Promise<boolean>;
}

/** A swarm as stored (F5.1): its latest context and version; the context's shape is swarm/'s. */
export interface SwarmRow {
  readonly id: string;
  readonly workspace: string;
  readonly name: string;
  readonly status: 'active' | 'stopped';
  readonly version: number;
  readonly context: Record<string, unknown>;
  /** How many versions are kept for history, rollback and resuming subscribers. */
  readonly keepVersions: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One version of a swarm's context and the change that made it. */
export interface SwarmVersionRow {
  readonly version: number;
  readonly context: Record<string, unknown>;
  readonly change: Record<string, unknown>;
  readonly at: number;
}

/** A node of a swarm's budget tree: the swarm itself, a run's allocation or a step's reservation. */
export interface LedgerAccount {
  readonly id: string;
  readonly parentId?: string;
  readonly kind: 'swarm' | 'run' | 'step';
  /** Who holds it (a run id, a worker): released together when the holder is gone. */
  readonly holder?: string;
  readonly budget: number;
  /** Sum of the budgets of its open children (live reservations). */
  readonly held: number;
  /** Credits spent: its own settled costs and its closed children's spending. */
  readonly spent: number;
  readonly status: 'open' | 'closed';
}

export type LedgerEntryKind = 'budget' | 'reserve' | 'settle' | 'release' | 'refund';

/** One movement of credits, in the order the store wrote them. */
export interface LedgerEntry {
  readonly seq: number;
  readonly kind: LedgerEntryKind;
  readonly accountId: string;
  readonly parentId?: string;
  readonly amount: number;
  readonly holder?: string;
  readonly at: number;
}

export interface Reservation {
  readonly swarmId: string;
  readonly parentId: string;
  readonly accountId: string;
  readonly kind: 'run' | 'step';
  readonly amount: number;
  readonly holder?: string;
  readonly at: number;
}

/**
 * Swarms and their ledgers (F5.1–F5.4). Every write that moves credits is atomic: `reserve` is
 * refused (false) when the parent's held + spent + amount would pass its budget, under any
 * concurrency and across processes.
 */
export interface SwarmRecords {
  /** Inserts the swarm, its first version and its root account (budget from the context). */
  create(row: SwarmRow, first: SwarmVersionRow, budget: number): Promise<void>;
  /** The swarm, in this workspace only when one is given. */
  get(id: string, workspace?: string): Promise<SwarmRow | undefined>;
  /** The swarms of a workspace (every workspace's when absent), newest first. */
  list(workspace?: string): Promise<SwarmRow[]>;
  /**
   * Writes the next version if the swarm is still at `expected` (compare-and-set), with the
   * root account's budget when given, keeping the last `keepVersions`; false when it moved on.
   * With `writeKey`, also false (nothing written) when that key was written already.
   */
  commitVersion(id: string, expected: number, next: SwarmVersionRow, budget?: number, writeKey?: string): Promise<boolean>;
  /** The version a write key was applied at, if it was. */
  findWrite(id: string, writeKey: string): Promise<number | undefined>;
  /** Kept versions after `afterVersion`, oldest first. */
  versions(id: string, afterVersion?: number): Promise<SwarmVersionRow[]>;
  setStatus(id: string, status: SwarmRow['status'], at: number): Promise<void>;

  /** Holds `amount` of the parent's credits for a new open account; false when they are not there. */
  reserve(reservation: Reservation): Promise<boolean>;
  /**
   * Closes an open account, with `cost` charged to it when given (a settle entry): its open
   * children are released first, its unused budget goes back to its parent. False when it is
   * not open.
   */
  close(swarmId: string, accountId: string, at: number, cost?: number): Promise<boolean>;
  /** Closes every open account of this holder (a crashed worker, an ended run); returns how many. */
  releaseHolder(holder: string, at: number): Promise<number>;
  /** Gives back credits spent by a closed account, up its ancestors to the first open one. */
  refund(swarmId: string, accountId: string, amount: number, at: number): Promise<boolean>;
  accounts(swarmId: string): Promise<LedgerAccount[]>;
  ledger(swarmId: string): Promise<LedgerEntry[]>;
}

/** What answered a webhook task (F3.2): its output, or the failure it reported. */
export type WebhookAnswer =
  | { readonly status: 'completed'; readonly output: unknown }
  | { readonly status: 'failed'; readonly error: { readonly code: string; readonly message: string } };

/**
 * A webhook task's call, by the SHA-256 of its callback token (the token itself is never
 * stored): which step it belongs to, when the receiver took it, and the answer once it came.
 */
export interface WebhookCallRow {
  readonly tokenHash: string;
  readonly runId: string;
  readonly nodeId: string;
  readonly createdAt: number;
  readonly deliveredAt?: number;
  readonly answeredAt?: number;
  readonly answer?: WebhookAnswer;
}

/** Webhook tasks' calls (migration 010). */
export interface WebhookCallRecords {
  /** Records a call unless its token's is recorded already (a step executed again); the row as stored. */
  open(row: Pick<WebhookCallRow, 'tokenHash' | 'runId' | 'nodeId' | 'createdAt'>): Promise<WebhookCallRow>;
  /** Notes that the receiver accepted the call (answered 2xx). */
  delivered(tokenHash: string, at: number): Promise<void>;
  byHash(tokenHash: string): Promise<WebhookCallRow | undefined>;
  /** Stores the answer unless the call has one already: false then, and nothing changes. */
  answer(tokenHash: string, answer: WebhookAnswer, at: number): Promise<boolean>;
  /** Those of these calls that have an answer. */
  answered(tokenHashes: readonly string[]): Promise<WebhookCallRow[]>;
}

export interface Store {
  readonly capabilities: StoreCapabilities;
  /**
   * Leases of runs, on every store several processes can open: PostgreSQL, and SQLite, whose file
   * several processes may share (the memory store has none: one process owns it).
   */
  readonly apiKeys: ApiKeyRecords;
  /** Swarms: versioned contexts and their credit ledgers (F5). */
  readonly swarms: SwarmRecords;
  /** Journeys, hooks, entities, arrivals and the board (F6, migration 009). */
  readonly journeys: JourneyRecords;
  readonly webhookCalls: WebhookCallRecords;
  readonly leases?: Leases;
  /** Prompt templates, scoped variables, prompt runs and their tasks (F4.5). */
  readonly prompts: PromptRecords;
  /** Chats and their messages (F4.6). */
  readonly chats: ChatRecords;

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
  /**
   * Writes all checkpoints in one transaction (group commit). All or nothing. A checkpoint's
   * `state` is the run's own, which its runtime goes on advancing in place: a store reads (or
   * encodes) it before its first `await`.
   */
  commit(checkpoints: readonly Checkpoint[]): Promise<void>;
  /**
   * A store that writes without I/O (memory) also commits synchronously: the same contract as
   * `commit()`, throwing where it would reject.
   */
  commitNow?(checkpoints: readonly Checkpoint[]): void;
  /**
   * The run's last snapshot. Events after its `eventSeq` may follow it in the log (commits
   * without a snapshot): fold them in before using it as the current state (`foldTail`).
   */
  loadRun(runId: string): Promise<RunState | undefined>;
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  /** Events with seq > afterSeq, oldest first; at most `limit` of them (absent or negative: all). */
  readEvents(runId: string, afterSeq?: number, limit?: number): Promise<RunEvent[]>;
  listSteps(runId: string): Promise<StepRecordRow[]>;
  /**
   * Runs with work a process must drive, oldest first: resumed on start-up. Those whose last
   * checkpoint said `active` (a running branch, a step or child run in flight — a parent parked
   * on a child counts); without the runtime's word, those `running` or `queued`.
   */
  listActiveRunIds(): Promise<string[]>;
  /** Child runs started for (parentRunId, seq), for idempotent child creation. */
  findChildRun(parentRunId: string, seq: number): Promise<string | undefined>;

  // retention (F8.4) ---------------------------------------------------------------------
  /**
   * Runs that ended (completed, failed, cancelled) and last changed before `before`, oldest
   * created first, after `cursor`. A child run counts once its parent has ended too (or is gone):
   * a live parent may still look its child up.
   */
  listEndedRuns(before: number, limit: number, cursor?: EndedRunsCursor): Promise<RunSummary[]>;
  /**
   * Deletes these runs and everything of theirs (log, step rows, timers, inbox, offered steps) in
   * one transaction — each only if `listEndedRuns(before)` would still list it (a run retried
   * since it was listed stays). Returns the ids deleted.
   */
  deleteEndedRuns(runIds: readonly string[], before: number): Promise<string[]>;

  // timers ------------------------------------------------------------------------------
  /** Timers due at or before `now`, earliest first. */
  dueTimers(now: number, limit?: number): Promise<TimerRow[]>;
  /** The earliest pending timer, if any. */
  nextTimerAt(): Promise<number | undefined>;
}

/** Convenience for callers that need run metadata alone. */
export type { RunMeta };
