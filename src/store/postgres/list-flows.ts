/** `listFlows()`: every flow that has a draft or a published version, by id. */
import type { FlowSummary } from '../store.js';
import type { PostgresPool } from './open-pool.js';

interface FlowRow {
  readonly flow_id: string;
  readonly name: string | null;
  readonly latest_version: number | null;
  readonly has_draft: boolean;
  readonly updated_at: number;
}

// COLLATE "C": byte order, as SQLite and the memory store sort ids (not the database's locale).
const SQL =
  'SELECT flow_id, name, latest_version, draft IS NOT NULL AS has_draft, updated_at FROM flows ORDER BY flow_id COLLATE "C"';

export function prepareListFlows(pool: PostgresPool): () => Promise<FlowSummary[]> {
  return async () => {
    const { rows } = await pool.query<FlowRow>(SQL);
    return rows.map((r) => ({
      flowId: r.flow_id,
      ...(r.name === null ? {} : { name: r.name }),
      ...(r.latest_version === null ? {} : { latestVersion: r.latest_version }),
      hasDraft: r.has_draft,
      updatedAt: r.updated_at,
    }));
  };
}
