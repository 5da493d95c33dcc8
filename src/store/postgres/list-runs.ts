/**
 * `listRuns()`: run summaries (no state) filtered by status, flow, parent and workspace (a
 * run's workspace is its flow key's: flow/flow-key.ts). Absent filters are
 * NULL parameters, so there is one SQL text (one plan) for every filter combination.
 */
import { type RunSummaryRow, toRunSummary } from '../rows.js';
import type { RunFilter, RunSummary } from '../store.js';
import type { PostgresPool } from './open-pool.js';

const select = (dir: 'ASC' | 'DESC') =>
  `SELECT id, flow_id, flow_version, status, reason, parent_run_id, created_at, updated_at FROM runs
   WHERE ($1::text[] IS NULL OR status = ANY ($1))
     AND ($2::text IS NULL OR flow_id = $2)
     AND ($3::text IS NULL OR parent_run_id = $3)
     AND ($5::text IS NULL OR CASE WHEN $5 = 'default' THEN strpos(flow_id, '/') = 0 ELSE starts_with(flow_id, $5 || '/') END)
     AND ($6::bigint IS NULL OR created_at >= $6)
     AND ($7::bigint IS NULL OR created_at < $7)
     AND ($8::bigint IS NULL OR created_at ${dir === 'ASC' ? '>' : '<'} $8
          OR (created_at = $8 AND id COLLATE "C" ${dir === 'ASC' ? '>' : '<'} $9::text))
   ORDER BY created_at ${dir}, id COLLATE "C" ${dir} LIMIT $4`;
const NEWEST = select('DESC');
const OLDEST = select('ASC');

export function prepareListRuns(pool: PostgresPool): (filter?: RunFilter) => Promise<RunSummary[]> {
  return async (filter = {}) => {
    if (filter.status?.length === 0) return [];
    const { rows } = await pool.query<RunSummaryRow>(filter.order === 'oldest' ? OLDEST : NEWEST, [
      filter.status ?? null,
      filter.flowId ?? null,
      filter.parentRunId ?? null,
      filter.limit ?? null,
      filter.workspace ?? null,
      filter.createdFrom ?? null,
      filter.createdBefore ?? null,
      filter.cursor?.createdAt ?? null,
      filter.cursor?.id ?? null,
    ]);
    return rows.map(toRunSummary);
  };
}
