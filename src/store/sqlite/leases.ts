/**
 * Leases of runs among the processes sharing one SQLite file (migration 005): the same contract
 * as PostgreSQL's (postgres/leases.ts). SQLite has one writer at a time, so a claim is a
 * transaction that takes the write lock up front (IMMEDIATE) instead of `SKIP LOCKED`: two
 * claimers are serialised and never take the same run. Times are this machine's clock, which
 * every process on one file shares.
 */
import type { EngineEvent, RunEvent, RunState } from '../../engine/types.js';
import type { ClaimedRun, InboxItem, Leases, StepTask } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

const FREE = '(lease_until IS NULL OR lease_until < @now)';

type Row = { id: string; previous: string | null };

export function prepareLeases(
  db: SqliteDatabase,
  ttlMs: number,
  readTail: (runId: string, afterSeq: number) => RunEvent[],
): Leases {
  const now = () => Date.now();
  const needing = db.prepare<{ now: number; limit: number }, Row>(
    `SELECT id, lease_owner AS previous FROM runs
     WHERE id IN (SELECT id FROM runs WHERE active = 1 UNION SELECT run_id FROM run_inbox
                  UNION SELECT run_id FROM timers WHERE fire_at <= @now)
       AND ${FREE}
     ORDER BY created_at LIMIT @limit`,
  );
  const freeOne = db.prepare<{ now: number; id: string }, Row>(
    `SELECT id, lease_owner AS previous FROM runs WHERE id = @id AND ${FREE}`,
  );
  const freeNeeding = db.prepare<{ now: number; id: string }, Row>(
    `SELECT id, lease_owner AS previous FROM runs
     WHERE id = @id AND ${FREE}
       AND (active = 1 OR EXISTS (SELECT 1 FROM run_inbox WHERE run_id = @id)
            OR EXISTS (SELECT 1 FROM timers WHERE run_id = @id AND fire_at <= @now))`,
  );
  const nextFreeOf = db
    .prepare<{ now: number; id: string }, number | null>(
      `SELECT MIN(t.fire_at) FROM timers t JOIN runs ON runs.id = t.run_id
       WHERE t.run_id = @id AND (runs.lease_until IS NULL OR runs.lease_until < @now)`,
    )
    .pluck();
  const take = db
    .prepare<[string, number, string], { fence: number; state: string }>(
      'UPDATE runs SET lease_owner = ?, lease_until = ?, fence = fence + 1 WHERE id = ? RETURNING fence, state',
    )
    .safeIntegers(false);
  const timersOf = db.prepare<[string], { seq: number; fireAt: number }>(
    'SELECT seq, fire_at AS fireAt FROM timers WHERE run_id = ? ORDER BY seq',
  );
  const inboxOf = db.prepare<[string], { id: number; event: string }>(
    'SELECT id, event FROM run_inbox WHERE run_id = ? ORDER BY id',
  );
  const nextFree = db
    .prepare<{ now: number }, number | null>(
      'SELECT MIN(t.fire_at) FROM timers t JOIN runs ON runs.id = t.run_id WHERE (runs.lease_until IS NULL OR runs.lease_until < @now)',
    )
    .pluck();
  const renewOne = db.prepare<[number, string, string], { id: string }>(
    'UPDATE runs SET lease_until = ? WHERE lease_owner = ? AND id = ? RETURNING id',
  );
  const renewSteps = db.prepare('UPDATE step_tasks SET lease_until = ? WHERE lease_owner = ?');
  const releaseOne = db.prepare('UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id = ?');
  // The owner stays: the next claim sees a previous holder, hence a takeover.
  const handBackOne = db.prepare('UPDATE runs SET lease_until = ? WHERE lease_owner = ? AND id = ?');
  const insertInbox = db.prepare('INSERT INTO run_inbox (run_id, event, created_at) VALUES (?, ?, ?)');
  const deleteInbox = db.prepare('DELETE FROM run_inbox WHERE id = ?');
  const offer = db.prepare(
    'INSERT INTO step_tasks (run_id, seq, action, request, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, seq) DO NOTHING',
  );
  const withdraw = db.prepare('DELETE FROM step_tasks WHERE run_id = ? AND seq = ?');
  const freeSteps = db.prepare<[string, number, number], { run_id: string; seq: number; request: string }>(
    `SELECT run_id, seq, request FROM step_tasks, json_each(?) AS wanted
     WHERE action = wanted.value AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at LIMIT ?`,
  );
  const takeStep = db.prepare('UPDATE step_tasks SET lease_owner = ?, lease_until = ? WHERE run_id = ? AND seq = ?');
  const finishOne = db.prepare('DELETE FROM step_tasks WHERE run_id = ? AND seq = ? AND lease_owner = ?');

  const claimRows = (owner: string, rows: readonly Row[]): ClaimedRun[] => {
    const until = now() + ttlMs;
    return rows.map((row) => {
      const taken = take.get(owner, until, row.id) as { fence: number; state: string };
      const state = JSON.parse(taken.state) as RunState;
      return {
        state,
        // The snapshot may be behind the log (most step commits write no state): the taker folds
        // what came after it.
        tail: readTail(row.id, state.eventSeq),
        fence: taken.fence,
        recovered: row.previous !== null,
        timers: timersOf.all(row.id),
        inbox: inboxOf.all(row.id).map((item): InboxItem => ({ id: item.id, event: JSON.parse(item.event) as EngineEvent })),
      };
    });
  };
  const claim = db.transaction(
    (owner: string, limit: number, runIds: readonly string[] | undefined, only: boolean): ClaimedRun[] => {
      const at = now();
      const one = only ? freeNeeding : freeOne;
      const rows = runIds ? runIds.flatMap((id) => one.all({ now: at, id })).slice(0, limit) : needing.all({ now: at, limit });
      return claimRows(owner, rows);
    },
  );
  const claimSteps = db.transaction((owner: string, actions: readonly string[], limit: number): StepTask[] => {
    const at = now();
    const rows = freeSteps.all(JSON.stringify(actions), at, limit);
    for (const row of rows) takeStep.run(owner, at + ttlMs, row.run_id, row.seq);
    return rows.map((row) => JSON.parse(row.request) as StepTask);
  });
  const renew = db.transaction((owner: string, runIds: readonly string[]): string[] => {
    const until = now() + ttlMs;
    renewSteps.run(until, owner);
    return runIds.filter((id) => renewOne.get(until, owner, id) !== undefined);
  });
  const release = db.transaction((owner: string, runIds: readonly string[]) => {
    for (const id of runIds) releaseOne.run(owner, id);
  });
  const handBack = db.transaction((owner: string, runIds: readonly string[]) => {
    const past = now() - 1;
    for (const id of runIds) handBackOne.run(past, owner, id);
  });
  const finishStep = db.transaction((owner: string, runId: string, seq: number, event: EngineEvent, at: number): boolean => {
    if (finishOne.run(runId, seq, owner).changes === 0) return false;
    insertInbox.run(runId, JSON.stringify(event), at);
    return true;
  });
  const discard = db.transaction((ids: readonly number[]) => {
    for (const id of ids) deleteInbox.run(id);
  });

  const held = db
    .prepare<[number], number>('SELECT count(*) FROM runs WHERE lease_owner IS NOT NULL AND lease_until >= ?')
    .pluck();
  return {
    ttlMs,
    async countHeld() {
      return held.get(now()) ?? 0;
    },
    async claim(owner, limit, runIds, only = false) {
      if (limit <= 0 || runIds?.length === 0) return [];
      return claim.immediate(owner, limit, runIds, only);
    },
    async nextFreeTimerAt(runIds) {
      const at = now();
      if (!runIds) return nextFree.get({ now: at }) ?? undefined;
      let next: number | undefined;
      for (const id of runIds) {
        const fireAt = nextFreeOf.get({ now: at, id });
        if (fireAt != null && (next === undefined || fireAt < next)) next = fireAt;
      }
      return next;
    },
    async renew(owner, runIds) {
      return renew.immediate(owner, runIds);
    },
    async release(owner, runIds) {
      if (runIds.length > 0) release.immediate(owner, runIds);
    },
    async handBack(owner, runIds) {
      if (runIds.length > 0) handBack.immediate(owner, runIds);
    },
    async readInbox(runId) {
      return inboxOf.all(runId).map((item): InboxItem => ({ id: item.id, event: JSON.parse(item.event) as EngineEvent }));
    },
    async send(runId, event, at) {
      insertInbox.run(runId, JSON.stringify(event), at);
    },
    async discard(ids) {
      if (ids.length > 0) discard.immediate(ids);
    },
    async offerStep(task) {
      offer.run(task.runId, task.seq, task.action, JSON.stringify(task), now());
    },
    async withdrawStep(runId, seq) {
      withdraw.run(runId, seq);
    },
    async claimSteps(owner, actions, limit) {
      if (limit <= 0 || actions.length === 0) return [];
      return claimSteps.immediate(owner, actions, limit);
    },
    async finishStep(owner, runId, seq, event, at) {
      return finishStep.immediate(owner, runId, seq, event, at);
    },
  };
}
