/** `listActiveRunIds()`: runs with work a process must drive (the `active` column), oldest first. */
import type { PostgresPool } from './open-pool.js';

const SQL = `SELECT id FROM runs WHERE active ORDER BY created_at, id COLLATE "C"`;

export function prepareListActiveRunIds(pool: PostgresPool): () => Promise<string[]> {
  return async () => (await pool.query<{ id: string }>(SQL)).rows.map((r) => r.id);
}
