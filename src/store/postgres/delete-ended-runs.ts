/**
 * `deleteEndedRuns()`: a batch of ended runs and everything of theirs, in one statement (one
 * transaction). The runs are checked again as they are deleted, so a run retried since it was
 * listed is left alone.
 */
import { endedBeforeSql } from '../rows.js';
import type { PostgresPool } from './open-pool.js';

const DELETE = `WITH gone AS (
    DELETE FROM runs r WHERE r.id = ANY ($1::text[]) AND ${endedBeforeSql('$2::bigint')} RETURNING r.id
  ),
  events AS (DELETE FROM run_events WHERE run_id IN (SELECT id FROM gone)),
  steps AS (DELETE FROM steps WHERE run_id IN (SELECT id FROM gone)),
  timers AS (DELETE FROM timers WHERE run_id IN (SELECT id FROM gone)),
  inbox AS (DELETE FROM run_inbox WHERE run_id IN (SELECT id FROM gone)),
  tasks AS (DELETE FROM step_tasks WHERE run_id IN (SELECT id FROM gone)),
  webhooks AS (DELETE FROM webhook_calls WHERE run_id IN (SELECT id FROM gone))
  SELECT id FROM gone`;

export function prepareDeleteEndedRuns(pool: PostgresPool): (runIds: readonly string[], before: number) => Promise<string[]> {
  return async (runIds, before) => {
    if (runIds.length === 0) return [];
    const { rows } = await pool.query<{ id: string }>(DELETE, [runIds, before]);
    return rows.map((row) => row.id);
  };
}
