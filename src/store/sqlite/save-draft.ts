/** `saveDraft()`: replaces a flow's editable draft (creating the flow row on first save). */
import type { SqliteDatabase } from './open-database.js';

export function prepareSaveDraft(db: SqliteDatabase): (flowId: string, definition: Record<string, unknown>) => void {
  const upsert = db.prepare(
    `INSERT INTO flows (flow_id, name, draft, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (flow_id) DO UPDATE SET name = excluded.name, draft = excluded.draft, updated_at = excluded.updated_at`,
  );
  return (flowId, definition) => {
    upsert.run(flowId, flowName(definition), JSON.stringify(definition), Date.now());
  };
}

/** The display name a definition carries, if it has one. */
export const flowName = (definition: Record<string, unknown>): string | null =>
  typeof definition.name === 'string' ? definition.name : null;
