import type { RunEvent } from '../../engine/types.js';
import { RunloomError } from '../../errors.js';
import { activeByStatus, stepValues } from '../rows.js';
import type { Checkpoint } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

/** `leaseMs`: how long the lease a fenced commit takes lasts (migration 005). */
export function prepareCommit(db: SqliteDatabase, leaseMs: number): (checkpoints: readonly Checkpoint[]) => void {
  const insertRun = db.prepare(
    `INSERT INTO runs (id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state, event_seq, created_at, updated_at,
       active, lease_owner, lease_until, fence)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const leaseOf = db.prepare<[string], { fence: number; owner: string | null }>(
    'SELECT fence, lease_owner AS owner FROM runs WHERE id = ?',
  );
  const setLease = db.prepare('UPDATE runs SET lease_owner = ?, lease_until = ? WHERE id = ?');
  const deleteInbox = db.prepare('DELETE FROM run_inbox WHERE id = ?');
  // Most steps leave the status and `active` as they were. Assigning either, even its current
  // value, rewrites its index entry (one more page in the WAL per commit), so the update that
  // leaves them alone runs first and the full one only when one of them changed.
  const updateSameStatus = db
    .prepare(
      'UPDATE runs SET reason = ?, state = ?, event_seq = ?, updated_at = ? WHERE id = ? AND status = ? AND active = ? RETURNING num',
    )
    .pluck();
  const updateRun = db
    .prepare(
      'UPDATE runs SET status = ?, active = ?, reason = ?, state = ?, event_seq = ?, updated_at = ? WHERE id = ? RETURNING num',
    )
    .pluck();
  // One row per commit, keyed by the run's number and the commit's first seq (migration 004).
  // Plain INSERT: a duplicate key means two writers on one run, and must fail the batch.
  const insertLog = db.prepare('INSERT INTO run_log (key, events, steps) VALUES ((? << 32) | ?, ?, ?)');
  // Upsert: a step re-executed after a crash writes its row again under the same seq.
  const upsertStep = db.prepare(
    `INSERT INTO steps (run_id, seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, seq) DO UPDATE SET node_id = excluded.node_id, branch = excluded.branch, attempt = excluded.attempt,
       item = excluded.item, status = excluded.status, input = excluded.input, output = excluded.output, error = excluded.error,
       started_at = excluded.started_at, ended_at = excluded.ended_at`,
  );
  const numOf = db.prepare('SELECT num FROM runs WHERE id = ?').pluck();
  const setTimer = db.prepare(
    'INSERT INTO timers (run_id, seq, fire_at) VALUES (?, ?, ?) ON CONFLICT (run_id, seq) DO UPDATE SET fire_at = excluded.fire_at',
  );
  const clearTimer = db.prepare('DELETE FROM timers WHERE run_id = ? AND seq = ?');

  /**
   * `row`: the checkpoint whose state (and `active`) the run's row gets, or undefined when a later
   * checkpoint of the same run in this batch writes it (one transaction: the intermediate rows
   * are never observable). `snapshot`: whether any of the run's checkpoints in the batch wants
   * its state written; without one the row stays as it is (Checkpoint.snapshot) and only the
   * log grows — one page less per step, and no state to serialise.
   */
  const writeOne = (cp: Checkpoint, row: Checkpoint | undefined, snapshot = cp.snapshot !== false, after?: number): void => {
    const runId = cp.state.meta.id;
    if (cp.lease && !cp.created) checkLease(cp, runId);
    if (cp.inboxDone) for (const id of cp.inboxDone) deleteInbox.run(id);
    const num = row && (snapshot || cp.created) ? writeRun(cp, row) : existing(runId);
    const events = cp.events;
    if (events.length > 0) {
      // The finished step rows ride on the commit's log row (migration 003): one page, not two.
      const rows = cp.steps.length > 0 ? JSON.stringify(cp.steps) : null;
      insertLog.run(num, firstSeq(runId, events, after), JSON.stringify(events), rows);
    } else {
      for (const s of cp.steps) upsertStep.run(...stepValues(runId, s));
    }
    // Set before clear: a timer armed and cancelled within one transition ends up cleared.
    for (const t of cp.timersSet) setTimer.run(runId, t.seq, t.fireAt);
    for (const seq of cp.timersCleared) clearTimer.run(runId, seq);
  };

  /**
   * A fenced commit is refused, nothing of the batch written, when the run was claimed since its
   * fence. It gives the lease back when the run parks (`release`), and takes it again when an
   * earlier commit of its holder gave it back; a step's commit otherwise leaves the row alone
   * (the holder's heartbeat renews the lease).
   */
  const checkLease = (cp: Checkpoint, runId: string): void => {
    const lease = cp.lease as NonNullable<Checkpoint['lease']>;
    const held = leaseOf.get(runId);
    if (held === undefined) throw runMissing(runId);
    if (held.fence !== lease.fence) {
      throw new RunloomError(
        'LEASE_LOST',
        `run '${runId}' is held by another process now (its lease was lost, fence ${lease.fence} < ${held.fence}): nothing written`,
      );
    }
    if (cp.release) setLease.run(null, null, runId);
    else if (held.owner !== lease.owner) setLease.run(lease.owner, Date.now() + leaseMs, runId);
  };

  const existing = (runId: string): number => {
    const num = numOf.get(runId) as number | undefined;
    if (num === undefined) throw runMissing(runId);
    return num;
  };

  /** Writes the run's row; returns its number. */
  const writeRun = (cp: Checkpoint, row: Checkpoint): number => {
    const state = row.state;
    const active = (row.active ?? activeByStatus(state)) ? 1 : 0;
    const { meta } = state;
    const runId = meta.id;
    const json = JSON.stringify(state);
    if (cp.created) {
      const parent = meta.parent;
      const owner = cp.lease && !cp.release ? cp.lease.owner : null;
      return Number(
        insertRun.run(
          runId,
          meta.flowId,
          meta.flowVersion,
          state.status,
          state.reason,
          parent ? parent.runId : null,
          parent ? parent.seq : null,
          json,
          state.eventSeq,
          meta.createdAt,
          state.updatedAt,
          active,
          owner,
          owner === null ? null : Date.now() + leaseMs,
          cp.lease?.fence ?? 0,
        ).lastInsertRowid,
      );
    }
    const num = (updateSameStatus.get(state.reason, json, state.eventSeq, state.updatedAt, runId, state.status, active) ??
      updateRun.get(state.status, active, state.reason, json, state.eventSeq, state.updatedAt, runId)) as number | undefined;
    if (num === undefined) throw runMissing(runId);
    return num;
  };

  const writeAll = db.transaction((checkpoints: readonly Checkpoint[]) => {
    if (checkpoints.length === 1) return writeOne(checkpoints[0], checkpoints[0]);
    // A run with several checkpoints in one batch gets its row written once, with its last state.
    const last = new Map<string, number>();
    const snapshot = new Set<string>();
    for (let i = 0; i < checkpoints.length; i++) {
      const cp = checkpoints[i];
      last.set(cp.state.meta.id, i);
      if (cp.snapshot !== false) snapshot.add(cp.state.meta.id);
    }
    const created = new Set<string>();
    /** Per run, the last seq logged in this batch: its next row must start after it. */
    const logged = new Map<string, number>();
    for (let i = 0; i < checkpoints.length; i++) {
      const cp = checkpoints[i];
      const runId = cp.state.meta.id;
      const lastIndex = last.get(runId) as number;
      const after = logged.get(runId);
      if (cp.created) {
        created.add(runId);
        writeOne(cp, checkpoints[lastIndex], true, after);
      } else {
        writeOne(cp, lastIndex === i && !created.has(runId) ? cp : undefined, snapshot.has(runId), after);
      }
      if (cp.events.length > 0) logged.set(runId, cp.events[cp.events.length - 1].seq);
    }
  });

  return (checkpoints) => {
    if (checkpoints.length === 0) return;
    try {
      // IMMEDIATE takes the write lock up front: no SQLITE_BUSY half-way through a batch.
      writeAll.immediate(checkpoints);
    } catch (error) {
      throw asStoreError(error);
    }
  };
}

/**
 * The seq a commit's log row is keyed by: its first event's. Only that one is a key, so the
 * order is checked here, within the commit and after `after` (the last seq an earlier
 * checkpoint of the run logged in the same batch): a repeated or backward seq would otherwise
 * be stored.
 */
function firstSeq(runId: string, events: readonly RunEvent[], after?: number): number {
  for (let i = 0; i < events.length; i++) {
    const before = i === 0 ? after : events[i - 1].seq;
    if (before !== undefined && !(events[i].seq > before)) throw outOfOrder(runId, events[i].seq, before);
  }
  const seq = events[0].seq;
  if (!(Number.isInteger(seq) && seq >= 0 && seq <= MAX_SEQ)) {
    throw new RunloomError(
      'STORE_CONFLICT',
      `commit rejected, nothing written: run '${runId}' logs event seq ${seq}, outside the log's key range (0 to ${MAX_SEQ})`,
    );
  }
  return seq;
}

/** The key holds the seq in its low 32 bits. */
const MAX_SEQ = 0xffff_ffff;

const outOfOrder = (runId: string, seq: number, after: number) =>
  new RunloomError('STORE_CONFLICT', `commit rejected, nothing written: run '${runId}' logs event seq ${seq} after seq ${after}`);

/** Silently dropping a checkpoint would lose a step: a run must be created before it is updated. */
const runMissing = (runId: string) =>
  new RunloomError('STORE_RUN_MISSING', `run '${runId}' was never created: commit its first checkpoint with created: true`);

/** Constraint violations become a typed conflict; anything else (disk full, I/O) passes through. */
function asStoreError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
    return new RunloomError('STORE_CONFLICT', `commit rejected, nothing written: ${(error as Error).message}`, {
      cause: error,
      details: { sqliteCode: code },
    });
  }
  return error;
}
