import { RunloomError } from '../../errors.js';
import { activeByStatus, stepValues } from '../rows.js';
import type { Checkpoint } from '../store.js';
import { toJson } from './columns.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareCommit(db: SqliteDatabase): (checkpoints: readonly Checkpoint[]) => void {
  const insertRun = db.prepare(
    `INSERT INTO runs (id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state, event_seq, created_at, updated_at,
       active)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Most steps leave the status and `active` as they were. Assigning either, even its current
  // value, rewrites its index entry (one more page in the WAL per commit), so the update that
  // leaves them alone runs first and the full one only when one of them changed.
  const updateSameStatus = db.prepare(
    'UPDATE runs SET reason = ?, state = ?, event_seq = ?, updated_at = ? WHERE id = ? AND status = ? AND active = ?',
  );
  const updateRun = db.prepare(
    'UPDATE runs SET status = ?, active = ?, reason = ?, state = ?, event_seq = ?, updated_at = ? WHERE id = ?',
  );
  // Plain INSERT: a duplicate (run_id, seq) means two writers on one run, and must fail the batch.
  // (One statement per event measured as fast as a multi-row INSERT: binding dominates.)
  const insertEvent = db.prepare(
    'INSERT INTO run_events (run_id, seq, type, at, node_id, token, data, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // Upsert: a step re-executed after a crash writes its row again under the same seq.
  const upsertStep = db.prepare(
    `INSERT INTO steps (run_id, seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, seq) DO UPDATE SET node_id = excluded.node_id, branch = excluded.branch, attempt = excluded.attempt,
       item = excluded.item, status = excluded.status, input = excluded.input, output = excluded.output, error = excluded.error,
       started_at = excluded.started_at, ended_at = excluded.ended_at`,
  );
  const runExists = db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck();
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
  const writeOne = (cp: Checkpoint, row: Checkpoint | undefined, snapshot = cp.snapshot !== false): void => {
    const runId = cp.state.meta.id;
    if (row && (snapshot || cp.created)) writeRun(cp, row);
    else if (row && runExists.get(runId) === undefined) throw runMissing(runId);
    const events = cp.events;
    const last = events.length - 1;
    // The finished step rows ride on the commit's last event (migration 003): one page, not two.
    const rows = cp.steps.length > 0 && last >= 0 ? JSON.stringify(cp.steps) : null;
    for (let i = 0; i <= last; i++) {
      const e = events[i];
      insertEvent.run(runId, e.seq, e.type, e.at, e.nodeId ?? null, e.token ?? null, toJson(e.data), i === last ? rows : null);
    }
    if (last < 0) for (const s of cp.steps) upsertStep.run(...stepValues(runId, s));
    // Set before clear: a timer armed and cancelled within one transition ends up cleared.
    for (const t of cp.timersSet) setTimer.run(runId, t.seq, t.fireAt);
    for (const seq of cp.timersCleared) clearTimer.run(runId, seq);
  };

  const writeRun = (cp: Checkpoint, row: Checkpoint): void => {
    const state = row.state;
    const active = (row.active ?? activeByStatus(state)) ? 1 : 0;
    const { meta } = state;
    const runId = meta.id;
    const json = JSON.stringify(state);
    if (cp.created) {
      const parent = meta.parent;
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
      );
    } else if (
      updateSameStatus.run(state.reason, json, state.eventSeq, state.updatedAt, runId, state.status, active).changes === 0 &&
      updateRun.run(state.status, active, state.reason, json, state.eventSeq, state.updatedAt, runId).changes === 0
    ) {
      throw runMissing(runId);
    }
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
    for (let i = 0; i < checkpoints.length; i++) {
      const cp = checkpoints[i];
      const runId = cp.state.meta.id;
      const lastIndex = last.get(runId) as number;
      if (cp.created) {
        created.add(runId);
        writeOne(cp, checkpoints[lastIndex], true);
      } else {
        writeOne(cp, lastIndex === i && !created.has(runId) ? cp : undefined, snapshot.has(runId));
      }
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
