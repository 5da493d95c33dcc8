/** `apiKeys`: API keys by hash, per workspace (migration 006). */
import { toApiKey } from '../rows.js';
import type { ApiKeyRecords } from '../store.js';
import type { PostgresPool } from './open-pool.js';

export function prepareApiKeys(pool: PostgresPool): ApiKeyRecords {
  return {
    async insert(row) {
      await pool.query('INSERT INTO api_keys (id, workspace, name, hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
        row.id,
        row.workspace,
        row.name,
        row.hash,
        row.createdAt,
      ]);
    },
    async list(workspace) {
      const { rows } =
        workspace === undefined
          ? await pool.query('SELECT * FROM api_keys ORDER BY created_at, id')
          : await pool.query('SELECT * FROM api_keys WHERE workspace = $1 ORDER BY created_at, id', [workspace]);
      return rows.map(toApiKey);
    },
    async byHash(hash) {
      const { rows } = await pool.query('SELECT * FROM api_keys WHERE hash = $1', [hash]);
      return rows[0] && toApiKey(rows[0]);
    },
    async revoke(workspace, id, at) {
      const result = await pool.query(
        'UPDATE api_keys SET revoked_at = $1 WHERE workspace = $2 AND id = $3 AND revoked_at IS NULL',
        [at, workspace, id],
      );
      return result.rowCount === 1;
    },
  };
}
