/** `listFlows()`: every flow that has a draft or a published version, by id. */
import type { FlowSummary } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

interface FlowRow {
  readonly flow_id: string;
  readonly name: string | null;
  readonly latest_version: number | null;
  readonly has_draft: number;
  readonly updated_at: number;
}

export function prepareListFlows(db: SqliteDatabase): () => FlowSummary[] {
  const select = db.prepare(
    'SELECT flow_id, name, latest_version, draft IS NOT NULL AS has_draft, updated_at FROM flows ORDER BY flow_id',
  );
  return () =>
    (select.all() as FlowRow[]).map((r) => ({
      flowId: r.flow_id,
      ...(r.name === null ? {} : { name: r.name }),
      ...(r.latest_version === null ? {} : { latestVersion: r.latest_version }),
      hasDraft: r.has_draft === 1,
      updatedAt: r.updated_at,
    }));
}
