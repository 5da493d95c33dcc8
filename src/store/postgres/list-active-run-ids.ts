/** `listActiveRunIds()`: runs to resume on start-up (`running` or `queued`), oldest first. */
import type { PostgresPool } from './open-pool.js';

const SQL = `SELECT id FROM runs WHERE status IN ('running', 'queued') ORDER BY created_at, id COLLATE "C"`;

export function prepareListActiveRunIds(pool: PostgresPool): () => Promise<string[]> {
  return async () => (await pool.query<{ id: string }>(SQL)).rows.map((r) => r.id);
}
