/** `listEndedRuns()`: what retention exports and prunes, a page at a time, oldest first. */
import { endedBeforeSql, FIRST_ENDED_CURSOR, type RunSummaryRow, toRunSummary } from '../rows.js';
import type { EndedRunsCursor, RunSummary } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareListEndedRuns(
  db: SqliteDatabase,
): (before: number, limit: number, cursor?: EndedRunsCursor) => RunSummary[] {
  const page = db.prepare(
    `SELECT r.id, r.flow_id, r.flow_version, r.status, r.reason, r.parent_run_id, r.created_at, r.updated_at FROM runs r
     WHERE ${endedBeforeSql('@before')} AND (r.created_at, r.id) > (@createdAt, @id)
     ORDER BY r.created_at, r.id LIMIT @limit`,
  );
  return (before, limit, cursor = FIRST_ENDED_CURSOR) =>
    (page.all({ before, limit, createdAt: cursor.createdAt, id: cursor.id }) as RunSummaryRow[]).map(toRunSummary);
}
