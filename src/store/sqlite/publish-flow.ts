/**
 * `publishFlow()`: appends the next immutable version. The version number is computed inside the
 * INSERT under an IMMEDIATE transaction, so two processes publishing at once get 1 and 2, never
 * 1 twice (and the primary key would refuse it anyway).
 */
import type { FlowVersionRecord } from '../store.js';
import type { SqliteDatabase } from './open-database.js';
import { flowName } from './save-draft.js';

export function preparePublishFlow(
  db: SqliteDatabase,
): (flowId: string, definition: Record<string, unknown>) => FlowVersionRecord {
  const insertVersion = db
    .prepare(
      `INSERT INTO flow_versions (flow_id, version, definition, created_at)
       SELECT @flowId, COALESCE(MAX(version), 0) + 1, @text, @createdAt FROM flow_versions WHERE flow_id = @flowId
       RETURNING version`,
    )
    .pluck();
  const upsertFlow = db.prepare(
    `INSERT INTO flows (flow_id, name, latest_version, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (flow_id) DO UPDATE SET name = excluded.name, latest_version = excluded.latest_version,
       updated_at = excluded.updated_at`,
  );
  const publish = db.transaction((flowId: string, definition: Record<string, unknown>): FlowVersionRecord => {
    const text = JSON.stringify(definition);
    const createdAt = Date.now();
    const version = insertVersion.get({ flowId, text, createdAt }) as number;
    upsertFlow.run(flowId, flowName(definition), version, createdAt);
    // A copy of what was stored, not the caller's object: later edits to it cannot leak in.
    return { flowId, version, definition: JSON.parse(text) as Record<string, unknown>, createdAt };
  });
  return (flowId, definition) => publish.immediate(flowId, definition);
}
