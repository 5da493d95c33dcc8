/**
 * `publishFlow()`: appends the next immutable version in ONE statement. The counter is the flow
 * row's `latest_version`, bumped by `INSERT … ON CONFLICT DO UPDATE`, which locks the row: two
 * workers publishing at once are serialised on it and get 1 and 2, never 1 twice (and the
 * primary key of `flow_versions` would refuse a duplicate anyway). A brand-new flow is covered
 * too: the second inserter waits on the first one's row and takes the UPDATE branch.
 */
import type { FlowVersionRecord } from '../store.js';
import type { PostgresPool } from './open-pool.js';
import { flowName } from './save-draft.js';

const SQL = `WITH flow AS (
    INSERT INTO flows (flow_id, name, latest_version, updated_at) VALUES ($1, $2, 1, $4)
    ON CONFLICT (flow_id) DO UPDATE SET name = excluded.name,
      latest_version = COALESCE(flows.latest_version, 0) + 1, updated_at = excluded.updated_at
    RETURNING latest_version
  )
  INSERT INTO flow_versions (flow_id, version, definition, created_at)
  SELECT $1, latest_version, $3::jsonb, $4 FROM flow
  RETURNING version, definition`;

export function preparePublishFlow(
  pool: PostgresPool,
): (flowId: string, definition: Record<string, unknown>) => Promise<FlowVersionRecord> {
  return async (flowId, definition) => {
    const createdAt = Date.now();
    const { rows } = await pool.query<{ version: number; definition: Record<string, unknown> }>(SQL, [
      flowId,
      flowName(definition),
      JSON.stringify(definition),
      createdAt,
    ]);
    // The stored copy, not the caller's object: later edits to it cannot leak in.
    return { flowId, version: rows[0].version, definition: rows[0].definition, createdAt };
  };
}
