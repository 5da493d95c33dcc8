/**
 * The in-memory store: same contract as SQLite, nothing persisted. Used by tests and by the
 * in-memory engine benchmark, so `commit()` is kept cheap: it validates the batch, then stores
 * references (no serialisation, no copies). Events and step rows are never edited once made. A
 * run's state is: the runtime that holds it advances it in place, so what `commit()` keeps is
 * that run's state, and `loadRun()` hands out snapshots of it. Flow definitions come from
 * callers that may edit them, so those are copied too.
 */

import { snapshotState } from '../../engine/run-state.js';
import { type RunEvent, type RunState, TERMINAL_STATUSES } from '../../engine/types.js';
import { RunloomError } from '../../errors.js';
import { splitFlowKey } from '../../flow/flow-key.js';
import { activeByStatus } from '../rows.js';
import type { Checkpoint, FlowSummary, FlowVersionRecord, RunFilter, RunSummary, StepRow, Store, TimerRow } from '../store.js';
import { createMemoryApiKeys } from './memory-api-keys.js';
import { createMemoryJourneys } from './memory-journeys.js';
import { createMemoryChats, createMemoryPrompts } from './memory-prompts.js';
import { createMemorySwarms } from './memory-swarms.js';
import { createMemoryWebhookCalls } from './memory-webhook-calls.js';

interface RunEntry {
  state: RunState;
  /** Has work a process must drive (Checkpoint.active; without it, running or queued). */
  active: boolean;
  /** Sorted by seq; the engine appends in order so inserts are pushes. */
  readonly events: RunEvent[];
  /** Sorted by seq; a later row of the same seq replaces the earlier one. */
  readonly steps: StepRow[];
}

interface FlowEntry {
  name?: string;
  draft?: Record<string, unknown>;
  readonly versions: FlowVersionRecord[];
  updatedAt: number;
}

/** Flow definitions cross the boundary as JSON would (same as SQLite): no shared references. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const nameOf = (definition: Record<string, unknown>) => (typeof definition.name === 'string' ? definition.name : undefined);
const pairKey = (runId: string, seq: number) => `${runId}\u0000${seq}`;

/** Index of the first event with seq > `afterSeq` (binary search over the sorted log). */
function firstAfter(events: readonly RunEvent[], afterSeq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].seq <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Puts a step row in a list sorted by seq, replacing the row of the same seq (most rows go last). */
function putRow(rows: StepRow[], row: StepRow): void {
  if (rows.length === 0 || rows[rows.length - 1].seq < row.seq) {
    rows.push(row);
    return;
  }
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].seq < row.seq) lo = mid + 1;
    else hi = mid;
  }
  if (rows[lo].seq === row.seq) rows[lo] = row;
  else rows.splice(lo, 0, row);
}

function hasSeq(events: readonly RunEvent[], seq: number): boolean {
  if (events.length === 0 || seq > events[events.length - 1].seq) return false; // the append fast path
  const i = firstAfter(events, seq - 1);
  return i < events.length && events[i].seq === seq;
}

const COMMITTED: Promise<void> = Promise.resolve();

/** Whether a run comes after the cursor in the listing's order (created time, then id). */
function afterCursor(run: RunSummary, cursor: { createdAt: number; id: string }, order: RunFilter['order']): boolean {
  const sign =
    run.createdAt === cursor.createdAt
      ? run.id < cursor.id
        ? -1
        : run.id > cursor.id
          ? 1
          : 0
      : run.createdAt - cursor.createdAt;
  return order === 'oldest' ? sign > 0 : sign < 0;
}

const runMissing = (id: string) =>
  new RunloomError('STORE_RUN_MISSING', `run '${id}' was never created: commit its first checkpoint with created: true`);

const conflict = (message: string) => new RunloomError('STORE_CONFLICT', `commit rejected, nothing written: ${message}`);

/**
 * @example
 * const store = createMemoryStore();
 * await store.commit([{ state, created: true, events, steps: [], timersSet: [], timersCleared: [] }]);
 */
export function createMemoryStore(): Store {
  const runs = new Map<string, RunEntry>();
  const children = new Map<string, string>();
  const timers = new Map<string, TimerRow>();
  const flows = new Map<string, FlowEntry>();

  /**
   * All-or-nothing without an undo log: refuse the whole batch before touching anything. (The
   * usual batch, one checkpoint, takes `checkOne`, without a map.)
   */
  const check = (checkpoints: readonly Checkpoint[]): void => {
    // Per run in this batch: created here? and the highest event seq so far. Linear in the batch,
    // also when one run has many checkpoints in it (a fan-out finishing together).
    const batch = new Map<string, { created: boolean; lastSeq: number }>();
    for (let i = 0; i < checkpoints.length; i++) {
      const cp = checkpoints[i];
      const id = cp.state.meta.id;
      const entry = runs.get(id);
      const seen = batch.get(id);
      if (cp.created && (entry || seen)) throw conflict(`run '${id}' ${entry ? 'already exists' : 'created twice'}`);
      if (!cp.created && !entry && !seen?.created) {
        throw runMissing(id);
      }
      let lastSeq = seen ? seen.lastSeq : 0;
      for (const event of cp.events) {
        // Event seqs only grow within a run: anything not above the last one is a duplicate.
        const stored = entry !== undefined && hasSeq(entry.events, event.seq);
        if (stored || event.seq <= lastSeq) throw conflict(`event ${event.seq} of run '${id}' already exists`);
        lastSeq = event.seq;
      }
      batch.set(id, { created: cp.created === true || seen?.created === true, lastSeq });
    }
  };

  /** The usual batch: one checkpoint (a run alone, or merged by the committer). */
  const checkOne = (cp: Checkpoint, id: string, entry: RunEntry | undefined): void => {
    if (cp.created && entry) throw conflict(`run '${id}' already exists`);
    if (!cp.created && !entry) {
      throw runMissing(id);
    }
    let lastSeq = 0;
    for (const event of cp.events) {
      if ((entry !== undefined && hasSeq(entry.events, event.seq)) || event.seq <= lastSeq) {
        throw conflict(`event ${event.seq} of run '${id}' already exists`);
      }
      lastSeq = event.seq;
    }
  };

  const apply = (cp: Checkpoint, id: string, found: RunEntry | undefined): void => {
    const { state } = cp;
    let entry = found;
    if (!entry) {
      entry = { state, active: false, events: [], steps: [] };
      runs.set(id, entry);
      const parent = state.meta.parent;
      if (parent) children.set(pairKey(parent.runId, parent.seq), id);
    }
    entry.state = state;
    entry.active = cp.active ?? activeByStatus(state);
    const log = entry.events;
    for (const e of cp.events) {
      if (log.length === 0 || e.seq > log[log.length - 1].seq) log.push(e);
      else log.splice(firstAfter(log, e.seq), 0, e);
    }
    for (const s of cp.steps) putRow(entry.steps, s);
    // Set before clear, as in SQLite: a timer armed and cancelled within one transition is gone.
    for (const t of cp.timersSet) timers.set(pairKey(id, t.seq), { runId: id, seq: t.seq, fireAt: t.fireAt });
    for (const seq of cp.timersCleared) timers.delete(pairKey(id, seq));
  };

  const commitNow = (checkpoints: readonly Checkpoint[]): void => {
    if (checkpoints.length === 1) {
      // The usual batch, without a map, and the run looked up once.
      const cp = checkpoints[0];
      const id = cp.state.meta.id;
      const entry = runs.get(id);
      checkOne(cp, id, entry);
      apply(cp, id, entry);
      return;
    }
    check(checkpoints);
    for (let i = 0; i < checkpoints.length; i++) {
      const id = checkpoints[i].state.meta.id;
      apply(checkpoints[i], id, runs.get(id));
    }
  };

  const summary = (entry: RunEntry): RunSummary => {
    const { meta, status, reason, updatedAt } = entry.state;
    return {
      id: meta.id,
      flowId: meta.flowId,
      flowVersion: meta.flowVersion,
      status,
      reason,
      ...(meta.parent ? { parentRunId: meta.parent.runId } : {}),
      createdAt: meta.createdAt,
      updatedAt,
    };
  };

  const byCreated = (a: RunSummary, b: RunSummary) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  /** What retention may delete: ended before `before`, and a child only once its parent has ended (or is gone). */
  const webhookCalls = createMemoryWebhookCalls();
  const prunable = (entry: RunEntry, before: number): boolean => {
    const { state } = entry;
    if (!TERMINAL_STATUSES.has(state.status) || state.updatedAt >= before) return false;
    const parent = state.meta.parent && runs.get(state.meta.parent.runId);
    return parent === undefined || TERMINAL_STATUSES.has(parent.state.status);
  };

  return {
    capabilities: { supportsSkipLocked: false, persistent: false },
    apiKeys: createMemoryApiKeys(),
    swarms: createMemorySwarms(),
    prompts: createMemoryPrompts(),
    chats: createMemoryChats(),
    journeys: createMemoryJourneys((runId) => runs.get(runId)?.state.status),
    webhookCalls,
    async init() {},
    async close() {},

    async saveDraft(flowId, definition) {
      const entry = flows.get(flowId);
      const now = Date.now();
      if (entry) {
        entry.draft = copy(definition);
        entry.name = nameOf(definition);
        entry.updatedAt = now;
      } else {
        flows.set(flowId, { name: nameOf(definition), draft: copy(definition), versions: [], updatedAt: now });
      }
    },
    async getDraft(flowId) {
      const draft = flows.get(flowId)?.draft;
      return draft === undefined ? undefined : copy(draft);
    },
    async publishFlow(flowId, definition) {
      let entry = flows.get(flowId);
      if (!entry) {
        entry = { versions: [], updatedAt: 0 };
        flows.set(flowId, entry);
      }
      const record: FlowVersionRecord = {
        flowId,
        version: entry.versions.length + 1,
        definition: copy(definition),
        createdAt: Date.now(),
      };
      entry.versions.push(record);
      entry.name = nameOf(definition);
      entry.updatedAt = record.createdAt;
      return copy(record);
    },
    async getFlowVersion(flowId, version) {
      const versions = flows.get(flowId)?.versions;
      if (!versions) return undefined;
      const record = version === undefined ? versions.at(-1) : versions[version - 1];
      return record === undefined ? undefined : copy(record);
    },
    async listFlows() {
      return [...flows.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(
          ([flowId, f]): FlowSummary => ({
            flowId,
            ...(f.name === undefined ? {} : { name: f.name }),
            ...(f.versions.length ? { latestVersion: f.versions.length } : {}),
            hasDraft: f.draft !== undefined,
            updatedAt: f.updatedAt,
          }),
        );
    },

    commit(checkpoints) {
      try {
        commitNow(checkpoints);
      } catch (error) {
        return Promise.reject(error);
      }
      return COMMITTED;
    },
    commitNow,
    async loadRun(runId) {
      const state = runs.get(runId)?.state;
      // The run's own state is advanced in place by whoever holds it. Only its collections
      // change, never the records in them, so a snapshot of them is a copy nothing else edits
      // (a deep clone cost a 100-branch run about as much as one of its steps).
      return state === undefined ? undefined : snapshotState(state);
    },
    async listRuns(filter = {}) {
      const statuses = filter.status ? new Set<string>(filter.status) : undefined;
      const found: RunSummary[] = [];
      for (const entry of runs.values()) {
        const s = summary(entry);
        if (statuses && !statuses.has(s.status)) continue;
        if (filter.flowId !== undefined && s.flowId !== filter.flowId) continue;
        if (filter.parentRunId !== undefined && s.parentRunId !== filter.parentRunId) continue;
        if (filter.workspace !== undefined && splitFlowKey(s.flowId).workspace !== filter.workspace) continue;
        if (filter.createdFrom !== undefined && s.createdAt < filter.createdFrom) continue;
        if (filter.createdBefore !== undefined && s.createdAt >= filter.createdBefore) continue;
        if (filter.cursor && !afterCursor(s, filter.cursor, filter.order)) continue;
        found.push(s);
      }
      found.sort(byCreated);
      if (filter.order !== 'oldest') found.reverse();
      return filter.limit === undefined || filter.limit < 0 ? found : found.slice(0, filter.limit);
    },
    async readEvents(runId, afterSeq = 0, limit) {
      const log = runs.get(runId)?.events;
      if (!log) return [];
      const start = firstAfter(log, afterSeq);
      return limit === undefined || limit < 0 ? log.slice(start) : log.slice(start, start + limit);
    },
    async listSteps(runId) {
      const steps = runs.get(runId)?.steps;
      if (!steps) return [];
      return steps.map((s) => ({ runId, ...s }));
    },
    async listActiveRunIds() {
      const active: RunSummary[] = [];
      for (const entry of runs.values()) if (entry.active) active.push(summary(entry));
      return active.sort(byCreated).map((s) => s.id);
    },
    async findChildRun(parentRunId, seq) {
      return children.get(pairKey(parentRunId, seq));
    },

    async listEndedRuns(before, limit, cursor) {
      const found: RunSummary[] = [];
      for (const entry of runs.values()) {
        if (!prunable(entry, before)) continue;
        const s = summary(entry);
        if (cursor === undefined || afterCursor(s, cursor, 'oldest')) found.push(s);
      }
      return found.sort(byCreated).slice(0, limit);
    },
    async deleteEndedRuns(runIds, before) {
      const deleted: string[] = [];
      for (const id of runIds) {
        const entry = runs.get(id);
        if (!entry || !prunable(entry, before)) continue;
        runs.delete(id);
        const parent = entry.state.meta.parent;
        if (parent && children.get(pairKey(parent.runId, parent.seq)) === id) children.delete(pairKey(parent.runId, parent.seq));
        for (const [key, timer] of timers) if (timer.runId === id) timers.delete(key);
        webhookCalls.forgetRun(id);
        deleted.push(id);
      }
      return deleted;
    },

    async dueTimers(now, limit) {
      const due: TimerRow[] = [];
      for (const t of timers.values()) if (t.fireAt <= now) due.push(t);
      due.sort((a, b) => a.fireAt - b.fireAt || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0) || a.seq - b.seq);
      return limit === undefined || limit < 0 ? due : due.slice(0, limit);
    },
    async nextTimerAt() {
      let next: number | undefined;
      for (const t of timers.values()) if (next === undefined || t.fireAt < next) next = t.fireAt;
      return next;
    },
  };
}
