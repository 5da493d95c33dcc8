/**
 * `listRuns()`: run summaries (no state) filtered by status, flow and parent. Absent filters are
 * NULL parameters, so there is one SQL text (one plan) for every filter combination.
 */
import type { RunStatus } from '../../engine/types.js';
import type { RunFilter, RunSummary } from '../store.js';
import type { PostgresPool } from './open-pool.js';

interface RunRow {
  readonly id: string;
  readonly flow_id: string;
  readonly flow_version: number;
  readonly status: RunStatus;
  readonly reason: string;
  readonly parent_run_id: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

const select = (dir: 'ASC' | 'DESC') =>
  `SELECT id, flow_id, flow_version, status, reason, parent_run_id, created_at, updated_at FROM runs
   WHERE ($1::text[] IS NULL OR status = ANY ($1))
     AND ($2::text IS NULL OR flow_id = $2)
     AND ($3::text IS NULL OR parent_run_id = $3)
   ORDER BY created_at ${dir}, id COLLATE "C" ${dir} LIMIT $4`;
const NEWEST = select('DESC');
const OLDEST = select('ASC');

export function prepareListRuns(pool: PostgresPool): (filter?: RunFilter) => Promise<RunSummary[]> {
  return async (filter = {}) => {
    if (filter.status?.length === 0) return [];
    const { rows } = await pool.query<RunRow>(filter.order === 'oldest' ? OLDEST : NEWEST, [
      filter.status ?? null,
      filter.flowId ?? null,
      filter.parentRunId ?? null,
      filter.limit ?? null,
    ]);
    return rows.map((r) => ({
      id: r.id,
      flowId: r.flow_id,
      flowVersion: r.flow_version,
      status: r.status,
      reason: r.reason,
      ...(r.parent_run_id === null ? {} : { parentRunId: r.parent_run_id }),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  };
}
