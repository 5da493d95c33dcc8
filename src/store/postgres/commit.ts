/**
 * `commit()`: several runs' checkpoints in ONE statement, hence one transaction and one round
 * trip whatever the batch size (group commit). The hot path of the durable runtime:
 *
 * - Rows travel as column arrays (`unnest($1::text[], …)`): a fixed number of parameters, one
 *   SQL text, prepared once per connection; every table gets one multi-row write.
 * - Data-modifying CTEs run in one statement, which PostgreSQL makes atomic without a
 *   BEGIN/COMMIT pair (two round trips saved per batch). A failing part (a duplicate key, a run
 *   never created, a fence another worker moved on) fails the statement and nothing is written.
 * - All parts of one statement see the same snapshot, and `ON CONFLICT DO UPDATE` may not touch
 *   a row twice, so the batch is folded first in JS (`foldBatch`): one row write per run (its
 *   last state), the last step row per (run, seq), and the final set/clear per timer. The store
 *   folds synchronously, before its first `await`: a held run's state changes in place.
 * - PostgreSQL writes the state in every commit, whatever `Checkpoint.snapshot` says: it is
 *   one statement either way.
 */
import { RunloomError } from '../../errors.js';
import { activeByStatus, stepValues } from '../rows.js';
import type { Checkpoint, StepRow } from '../store.js';
import { toJson } from './columns.js';
import type { PostgresPool } from './open-pool.js';

const SQL = `WITH
  inserted_runs AS (
    INSERT INTO runs (id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state, event_seq, created_at, updated_at,
      active, lease_owner, lease_until, fence)
    SELECT id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state::jsonb, event_seq, created_at, updated_at,
      active, lease_owner, CASE WHEN lease_owner IS NULL THEN NULL ELSE runloom_now() + $42 END, fence
    FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[],
      $10::bigint[], $11::bigint[], $43::boolean[], $44::text[], $45::bigint[])
      AS r (id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state, event_seq, created_at, updated_at,
        active, lease_owner, fence)
  ),
  updated_runs AS (
    UPDATE runs SET status = u.status, reason = u.reason, state = u.state::jsonb, event_seq = u.event_seq, updated_at = u.updated_at,
      active = u.active,
      lease_owner = CASE WHEN u.release THEN NULL WHEN u.fence IS NULL THEN runs.lease_owner ELSE u.owner END,
      lease_until = CASE WHEN u.release THEN NULL WHEN u.fence IS NULL THEN runs.lease_until ELSE runloom_now() + $42 END
    FROM unnest($12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[], $17::bigint[], $46::boolean[], $47::bigint[],
      $48::boolean[], $51::text[])
      AS u (id, status, reason, state, event_seq, updated_at, active, fence, release, owner)
    WHERE runs.id = u.id AND (u.fence IS NULL OR runs.fence = u.fence)
    RETURNING runs.id
  ),
  inserted_events AS (
    INSERT INTO run_events (run_id, seq, type, at, node_id, token, data)
    SELECT run_id, seq, type, at, node_id, token, data::jsonb
    FROM unnest($18::text[], $19::bigint[], $20::text[], $21::bigint[], $22::text[], $23::int[], $24::text[])
      AS e (run_id, seq, type, at, node_id, token, data)
  ),
  upserted_steps AS (
    INSERT INTO steps (run_id, seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at, worker)
    SELECT run_id, seq, node_id, branch, attempt, item, status, input::jsonb, output::jsonb, error::jsonb, started_at, ended_at, worker
    FROM unnest($25::text[], $26::bigint[], $27::text[], $28::text[], $29::int[], $30::int[], $31::text[], $32::text[],
      $33::text[], $34::text[], $35::bigint[], $36::bigint[], $49::text[])
      AS s (run_id, seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at, worker)
    ON CONFLICT (run_id, seq) DO UPDATE SET node_id = excluded.node_id, branch = excluded.branch, attempt = excluded.attempt,
      item = excluded.item, status = excluded.status, input = excluded.input, output = excluded.output, error = excluded.error,
      started_at = excluded.started_at, ended_at = excluded.ended_at, worker = excluded.worker, commits = steps.commits + 1
  ),
  set_timers AS (
    INSERT INTO timers (run_id, seq, fire_at)
    SELECT run_id, seq, fire_at FROM unnest($37::text[], $38::bigint[], $39::bigint[]) AS t (run_id, seq, fire_at)
    ON CONFLICT (run_id, seq) DO UPDATE SET fire_at = excluded.fire_at
  ),
  cleared_timers AS (
    DELETE FROM timers USING unnest($40::text[], $41::bigint[]) AS c (run_id, seq)
    WHERE timers.run_id = c.run_id AND timers.seq = c.seq
  ),
  applied_inbox AS (
    DELETE FROM run_inbox WHERE id = ANY($50::bigint[])
  )
SELECT runloom_require_runs($12::text[], ARRAY(SELECT id FROM updated_runs))`;

/** Column arrays, in parameter order. */
export interface Columns {
  readonly insertRuns: unknown[][];
  readonly updateRuns: unknown[][];
  readonly events: unknown[][];
  readonly steps: unknown[][];
  readonly timersSet: unknown[][];
  readonly timersCleared: unknown[][];
  /** $43–$45: active, lease_owner, fence of inserted runs. */
  readonly insertLeases: unknown[][];
  /**
   * $46–$48, $51: active, fence (NULL = unfenced), release and owner of updated runs. A fenced
   * commit renews its lease (the fence matched, so nobody claimed the run since, even if an
   * earlier commit of this batch released it).
   */
  readonly updateLeases: unknown[][];
  /** $49: the worker that committed each step row. */
  readonly stepWorkers: unknown[];
  /** $50: inbox items applied. */
  readonly inboxDone: number[];
}

const columns = (n: number): unknown[][] => Array.from({ length: n }, () => []);

function push(cols: unknown[][], ...values: unknown[]): void {
  for (let i = 0; i < values.length; i++) cols[i].push(values[i]);
}

/** Folds a batch into one write per row (see the file comment for why). */
export function foldBatch(checkpoints: readonly Checkpoint[]): Columns {
  const c: Columns = {
    insertRuns: columns(11),
    updateRuns: columns(6),
    events: columns(7),
    steps: columns(12),
    timersSet: columns(3),
    timersCleared: columns(2),
    insertLeases: columns(3),
    updateLeases: columns(4),
    stepWorkers: [],
    inboxDone: [],
  };
  // Each run's row is written once, with its last state: serialising a large state per step is
  // the main cost of a fan-out finishing together.
  const last = new Map<string, Checkpoint>();
  const created = new Set<string>();
  for (const cp of checkpoints) {
    last.set(cp.state.meta.id, cp);
    if (cp.created) created.add(cp.state.meta.id);
    if (cp.inboxDone) for (const id of cp.inboxDone) c.inboxDone.push(id);
  }
  const steps = new Map<string, { runId: string; row: StepRow; worker: string | null }>();
  const timers = new Map<string, { runId: string; seq: number; fireAt?: number }>();
  for (const cp of checkpoints) {
    const runId = cp.state.meta.id;
    // One row per created checkpoint, so a run created twice hits the primary key.
    if (cp.created) insertRun(c, last.get(runId) as Checkpoint);
    for (const e of cp.events) push(c.events, runId, e.seq, e.type, e.at, e.nodeId ?? null, e.token ?? null, toJson(e.data));
    const worker = cp.lease?.owner ?? null;
    for (const s of cp.steps) steps.set(`${runId}\u0000${s.seq}`, { runId, row: s, worker });
    // Set before clear: a timer armed and cancelled within one transition ends up cleared.
    for (const t of cp.timersSet) timers.set(`${runId}\u0000${t.seq}`, { runId, seq: t.seq, fireAt: t.fireAt });
    for (const seq of cp.timersCleared) timers.set(`${runId}\u0000${seq}`, { runId, seq });
  }
  for (const [runId, cp] of last) {
    if (!created.has(runId)) {
      const state = cp.state;
      push(c.updateRuns, runId, state.status, state.reason, JSON.stringify(state), state.eventSeq, state.updatedAt);
      push(
        c.updateLeases,
        cp.active ?? activeByStatus(state),
        cp.lease?.fence ?? null,
        cp.release ?? false,
        cp.lease?.owner ?? null,
      );
    }
  }
  for (const { runId, row: s, worker } of steps.values()) {
    push(c.steps, ...stepValues(runId, s));
    c.stepWorkers.push(worker);
  }
  for (const t of timers.values()) {
    if (t.fireAt === undefined) push(c.timersCleared, t.runId, t.seq);
    else push(c.timersSet, t.runId, t.seq, t.fireAt);
  }
  return c;
}

/** A created run's row, from the last checkpoint of that run in the batch. */
function insertRun(c: Columns, cp: Checkpoint): void {
  const state = cp.state;
  const { meta } = state;
  const held = cp.lease !== undefined && !cp.release;
  push(c.insertLeases, cp.active ?? activeByStatus(state), held ? cp.lease?.owner : null, cp.lease?.fence ?? 0);
  push(
    c.insertRuns,
    meta.id,
    meta.flowId,
    meta.flowVersion,
    state.status,
    state.reason,
    meta.parent ? meta.parent.runId : null,
    meta.parent ? meta.parent.seq : null,
    JSON.stringify(state),
    state.eventSeq,
    meta.createdAt,
    state.updatedAt,
  );
}

/**
 * Writes a batch `foldBatch()` encoded. `leaseMs`: how long a lease taken by creating a run
 * lasts before it must be renewed.
 */
export function prepareCommit(pool: PostgresPool, leaseMs: number): (c: Columns) => Promise<void> {
  return async (c) => {
    const values = [
      ...c.insertRuns,
      ...c.updateRuns,
      ...c.events,
      ...c.steps,
      ...c.timersSet,
      ...c.timersCleared,
      leaseMs,
      ...c.insertLeases,
      ...c.updateLeases.slice(0, 3),
      c.stepWorkers,
      c.inboxDone,
      c.updateLeases[3],
    ];
    try {
      await pool.query({ name: 'runloom.commit', text: SQL, values });
    } catch (error) {
      throw asStoreError(error);
    }
  };
}

/**
 * Constraint violations become a typed conflict and a missing run its own code; anything else
 * (connection lost, disk full) passes through. Either way the statement wrote nothing.
 */
function asStoreError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'RLM02') {
    return new RunloomError('LEASE_LOST', (error as Error).message, { cause: error });
  }
  if (code === 'RLM01') {
    return new RunloomError('STORE_RUN_MISSING', (error as Error).message, { cause: error });
  }
  if (typeof code === 'string' && code.startsWith('23')) {
    return new RunloomError('STORE_CONFLICT', `commit rejected, nothing written: ${(error as Error).message}`, {
      cause: error,
      details: { sqlState: code, constraint: (error as { constraint?: string }).constraint },
    });
  }
  return error;
}
