/** `dueTimers()`: timers due at or before `now`, earliest first (ties by run and seq, for stable order). */
import type { TimerRow } from '../store.js';
import type { PostgresPool } from './open-pool.js';

// LIMIT NULL is no limit.
const SQL = `SELECT run_id AS "runId", seq, fire_at AS "fireAt" FROM timers WHERE fire_at <= $1
  ORDER BY fire_at, run_id COLLATE "C", seq LIMIT $2`;

export function prepareDueTimers(pool: PostgresPool): (now: number, limit?: number) => Promise<TimerRow[]> {
  return async (now, limit) => (await pool.query<TimerRow>(SQL, [now, limit ?? null])).rows;
}
