/** `getFlowVersion()`: one published version, or the latest when no version is given. */
import type { FlowVersionRecord } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

interface VersionRow {
  readonly version: number;
  readonly definition: string;
  readonly created_at: number;
}

export function prepareGetFlowVersion(db: SqliteDatabase): (flowId: string, version?: number) => FlowVersionRecord | undefined {
  const exact = db.prepare('SELECT version, definition, created_at FROM flow_versions WHERE flow_id = ? AND version = ?');
  const latest = db.prepare(
    'SELECT version, definition, created_at FROM flow_versions WHERE flow_id = ? ORDER BY version DESC LIMIT 1',
  );
  return (flowId, version) => {
    const row = (version === undefined ? latest.get(flowId) : exact.get(flowId, version)) as VersionRow | undefined;
    if (!row) return undefined;
    return {
      flowId,
      version: row.version,
      definition: JSON.parse(row.definition) as Record<string, unknown>,
      createdAt: row.created_at,
    };
  };
}
