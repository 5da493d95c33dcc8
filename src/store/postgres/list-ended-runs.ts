/** `listEndedRuns()`: what retention exports and prunes, a page at a time, oldest first. */
import { endedBeforeSql, FIRST_ENDED_CURSOR, type RunSummaryRow, toRunSummary } from '../rows.js';
import type { EndedRunsCursor, RunSummary } from '../store.js';
import type { PostgresPool } from './open-pool.js';

// Ids compare in "C" order, as JavaScript compares strings (and as listRuns sorts them).
const PAGE = `SELECT r.id, r.flow_id, r.flow_version, r.status, r.reason, r.parent_run_id, r.created_at, r.updated_at
  FROM runs r
  WHERE ${endedBeforeSql('$1::bigint')} AND (r.created_at, r.id COLLATE "C") > ($2::bigint, $3::text)
  ORDER BY r.created_at, r.id COLLATE "C" LIMIT $4`;

export function prepareListEndedRuns(
  pool: PostgresPool,
): (before: number, limit: number, cursor?: EndedRunsCursor) => Promise<RunSummary[]> {
  return async (before, limit, cursor = FIRST_ENDED_CURSOR) => {
    const { rows } = await pool.query<RunSummaryRow>(PAGE, [before, cursor.createdAt, cursor.id, limit]);
    return rows.map(toRunSummary);
  };
}
