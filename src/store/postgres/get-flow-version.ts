/** `getFlowVersion()`: one published version, or the latest when no version is given. */
import type { FlowVersionRecord } from '../store.js';
import type { PostgresPool } from './open-pool.js';

interface VersionRow {
  readonly version: number;
  readonly definition: Record<string, unknown>;
  readonly created_at: number;
}

const EXACT = 'SELECT version, definition, created_at FROM flow_versions WHERE flow_id = $1 AND version = $2';
const LATEST = 'SELECT version, definition, created_at FROM flow_versions WHERE flow_id = $1 ORDER BY version DESC LIMIT 1';

export function prepareGetFlowVersion(
  pool: PostgresPool,
): (flowId: string, version?: number) => Promise<FlowVersionRecord | undefined> {
  return async (flowId, version) => {
    const { rows } = await (version === undefined
      ? pool.query<VersionRow>(LATEST, [flowId])
      : pool.query<VersionRow>(EXACT, [flowId, version]));
    const row = rows[0];
    if (!row) return undefined;
    return { flowId, version: row.version, definition: row.definition, createdAt: row.created_at };
  };
}
