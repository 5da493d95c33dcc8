/**
 * Leases among many workers (F8.3). A claim is one statement: it picks free runs that need a
 * worker with `FOR UPDATE SKIP LOCKED` (concurrent claimers never wait on each other nor take
 * the same run), moves their fence on, and returns what the new holder needs — state, timers,
 * inbox — so taking over a run is one round trip.
 */
import type { EngineEvent, RunState } from '../../engine/types.js';
import type { ClaimedRun, InboxItem, Leases, StepTask } from '../store.js';
import type { PostgresPool } from './open-pool.js';

const FREE = '(runs.lease_until IS NULL OR runs.lease_until < runloom_now())';

/** What a claim returns for each run: its timers and inbox ride along as JSON arrays. */
const RETURNING = `RETURNING runs.id, runs.fence, runs.state, candidates.previous IS NOT NULL AS recovered,
  (SELECT coalesce(json_agg(json_build_array(t.seq, t.fire_at)), '[]') FROM timers t WHERE t.run_id = runs.id) AS timers,
  (SELECT coalesce(json_agg(json_build_array(i.id, i.event) ORDER BY i.id), '[]') FROM run_inbox i WHERE i.run_id = runs.id) AS inbox`;

/** The end of both claims: lock the candidates without waiting, take them, move their fence on. */
const TAKE = `LIMIT $2
  FOR UPDATE OF runs SKIP LOCKED
)
UPDATE runs SET lease_owner = $1, lease_until = runloom_now() + $3, fence = runs.fence + 1
FROM candidates WHERE runs.id = candidates.id
${RETURNING}`;

/** Runs that need a worker: active, or with an inbox item or a due timer. */
const NEEDING = `runs.id IN (
      SELECT id FROM runs WHERE active
      UNION SELECT run_id FROM run_inbox
      UNION SELECT run_id FROM timers WHERE fire_at <= runloom_now())`;

const CLAIM_ANY = `WITH candidates AS (
  SELECT runs.id, runs.lease_owner AS previous FROM runs
  WHERE ${NEEDING}
    AND ${FREE}
  ORDER BY runs.created_at
  ${TAKE}`;

/** Of these runs, the ones that need a worker (a process keeping the runs it started). */
const CLAIM_THESE_NEEDING = `WITH candidates AS (
  SELECT runs.id, runs.lease_owner AS previous FROM runs
  WHERE runs.id = ANY($4::text[]) AND ${NEEDING} AND ${FREE}
  ORDER BY runs.created_at
  ${TAKE}`;

const CLAIM_THESE = `WITH candidates AS (
  SELECT runs.id, runs.lease_owner AS previous FROM runs WHERE runs.id = ANY($4::text[]) AND ${FREE}
  ORDER BY runs.created_at
  ${TAKE}`;

interface ClaimRow {
  readonly id: string;
  readonly fence: number;
  readonly state: RunState;
  readonly recovered: boolean;
  readonly timers: [number, number][];
  readonly inbox: [number, EngineEvent][];
}

const toClaimed = (r: ClaimRow): ClaimedRun => ({
  state: r.state,
  fence: r.fence,
  recovered: r.recovered,
  timers: r.timers.map(([seq, fireAt]) => ({ seq, fireAt })),
  inbox: r.inbox.map(([id, event]) => ({ id, event })),
});

export function prepareLeases(pool: PostgresPool, ttlMs: number): Leases {
  return {
    ttlMs,
    async countHeld() {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM runs WHERE lease_owner IS NOT NULL AND lease_until >= runloom_now()',
      );
      return Number(rows[0]?.n ?? 0);
    },
    async claim(owner, limit, runIds, needing = false) {
      if (limit <= 0 || runIds?.length === 0) return [];
      const { rows } = !runIds
        ? await pool.query<ClaimRow>({ name: 'runloom.claim-any', text: CLAIM_ANY, values: [owner, limit, ttlMs] })
        : needing
          ? await pool.query<ClaimRow>({
              name: 'runloom.claim-these-needing',
              text: CLAIM_THESE_NEEDING,
              values: [owner, limit, ttlMs, runIds],
            })
          : await pool.query<ClaimRow>({ name: 'runloom.claim-these', text: CLAIM_THESE, values: [owner, limit, ttlMs, runIds] });
      return rows.map(toClaimed);
    },
    async nextFreeTimerAt(runIds) {
      if (runIds?.length === 0) return undefined;
      const { rows } = runIds
        ? await pool.query<{ at: number | null }>({
            name: 'runloom.next-free-timer-of',
            text: `SELECT MIN(t.fire_at) AS at FROM timers t JOIN runs ON runs.id = t.run_id WHERE ${FREE} AND runs.id = ANY($1::text[])`,
            values: [runIds],
          })
        : await pool.query<{ at: number | null }>({
            name: 'runloom.next-free-timer',
            text: `SELECT MIN(t.fire_at) AS at FROM timers t JOIN runs ON runs.id = t.run_id WHERE ${FREE}`,
          });
      return rows[0].at ?? undefined;
    },
    async renew(owner, runIds) {
      await pool.query({
        name: 'runloom.renew-steps',
        text: 'UPDATE step_tasks SET lease_until = runloom_now() + $2 WHERE lease_owner = $1',
        values: [owner, ttlMs],
      });
      if (runIds.length === 0) return [];
      const { rows } = await pool.query<{ id: string }>({
        name: 'runloom.renew',
        text: `UPDATE runs SET lease_until = runloom_now() + $3 WHERE lease_owner = $1 AND id = ANY($2::text[]) RETURNING id`,
        values: [owner, runIds, ttlMs],
      });
      return rows.map((r) => r.id);
    },
    async release(owner, runIds) {
      if (runIds.length === 0) return;
      await pool.query({
        name: 'runloom.release',
        text: 'UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND id = ANY($2::text[])',
        values: [owner, runIds],
      });
    },
    async handBack(owner, runIds) {
      if (runIds.length === 0) return;
      // The owner stays: the next claim sees a previous holder, hence a takeover.
      await pool.query({
        name: 'runloom.hand-back',
        text: 'UPDATE runs SET lease_until = runloom_now() - 1 WHERE lease_owner = $1 AND id = ANY($2::text[])',
        values: [owner, runIds],
      });
    },
    async readInbox(runId) {
      const { rows } = await pool.query<{ id: number; event: EngineEvent }>({
        name: 'runloom.read-inbox',
        text: 'SELECT id, event FROM run_inbox WHERE run_id = $1 ORDER BY id',
        values: [runId],
      });
      return rows.map((r): InboxItem => ({ id: r.id, event: r.event }));
    },
    async send(runId, event, at) {
      await pool.query({
        name: 'runloom.send',
        text: 'INSERT INTO run_inbox (run_id, event, created_at) VALUES ($1, $2::jsonb, $3)',
        values: [runId, JSON.stringify(event), at],
      });
    },
    async offerStep(task) {
      await pool.query({
        name: 'runloom.offer-step',
        text: `INSERT INTO step_tasks (run_id, seq, action, request, created_at) VALUES ($1, $2, $3, $4::jsonb, runloom_now())
          ON CONFLICT (run_id, seq) DO NOTHING`,
        values: [task.runId, task.seq, task.action, JSON.stringify(task)],
      });
    },
    async withdrawStep(runId, seq) {
      await pool.query({
        name: 'runloom.withdraw-step',
        text: 'DELETE FROM step_tasks WHERE run_id = $1 AND seq = $2',
        values: [runId, seq],
      });
    },
    async claimSteps(owner, actions, limit) {
      if (limit <= 0 || actions.length === 0) return [];
      const { rows } = await pool.query<{ request: StepTask }>({
        name: 'runloom.claim-steps',
        text: `WITH candidates AS (
            SELECT run_id, seq FROM step_tasks
            WHERE action = ANY($2::text[]) AND (lease_until IS NULL OR lease_until < runloom_now())
            ORDER BY created_at LIMIT $3
            FOR UPDATE SKIP LOCKED
          )
          UPDATE step_tasks SET lease_owner = $1, lease_until = runloom_now() + $4
          FROM candidates WHERE step_tasks.run_id = candidates.run_id AND step_tasks.seq = candidates.seq
          RETURNING step_tasks.request`,
        values: [owner, actions, limit, ttlMs],
      });
      return rows.map((r) => r.request);
    },
    async finishStep(owner, runId, seq, event, at) {
      const { rows } = await pool.query<{ id: number }>({
        name: 'runloom.finish-step',
        text: `WITH finished AS (
            DELETE FROM step_tasks WHERE run_id = $1 AND seq = $2 AND lease_owner = $3 RETURNING run_id
          )
          INSERT INTO run_inbox (run_id, event, created_at) SELECT run_id, $4::jsonb, $5 FROM finished RETURNING id`,
        values: [runId, seq, owner, JSON.stringify(event), at],
      });
      return rows.length > 0;
    },
    async discard(ids) {
      if (ids.length === 0) return;
      await pool.query({ name: 'runloom.discard', text: 'DELETE FROM run_inbox WHERE id = ANY($1::bigint[])', values: [ids] });
    },
  };
}
