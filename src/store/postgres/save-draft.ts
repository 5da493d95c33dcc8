/** `saveDraft()`: replaces a flow's editable draft (creating the flow row on first save). */
import type { PostgresPool } from './open-pool.js';

const SQL = `INSERT INTO flows (flow_id, name, draft, updated_at) VALUES ($1, $2, $3::jsonb, $4)
  ON CONFLICT (flow_id) DO UPDATE SET name = excluded.name, draft = excluded.draft, updated_at = excluded.updated_at`;

export function prepareSaveDraft(pool: PostgresPool): (flowId: string, definition: Record<string, unknown>) => Promise<void> {
  return async (flowId, definition) => {
    await pool.query(SQL, [flowId, flowName(definition), JSON.stringify(definition), Date.now()]);
  };
}

/** The display name a definition carries, if it has one. */
export const flowName = (definition: Record<string, unknown>): string | null =>
  typeof definition.name === 'string' ? definition.name : null;
