/** `apiKeys`: API keys by hash, per workspace (migration 006). */
import { type KeyColumns, toApiKey } from '../rows.js';
import type { ApiKeyRecords } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareApiKeys(db: SqliteDatabase): ApiKeyRecords {
  const insert = db.prepare('INSERT INTO api_keys (id, workspace, name, hash, created_at) VALUES (?, ?, ?, ?, ?)');
  const all = db.prepare<[], KeyColumns>('SELECT * FROM api_keys ORDER BY created_at, id');
  const ofWorkspace = db.prepare<[string], KeyColumns>('SELECT * FROM api_keys WHERE workspace = ? ORDER BY created_at, id');
  const byHash = db.prepare<[string], KeyColumns>('SELECT * FROM api_keys WHERE hash = ?');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE workspace = ? AND id = ? AND revoked_at IS NULL');
  return {
    async insert(row) {
      insert.run(row.id, row.workspace, row.name, row.hash, row.createdAt);
    },
    async list(workspace) {
      return (workspace === undefined ? all.all() : ofWorkspace.all(workspace)).map(toApiKey);
    },
    async byHash(hash) {
      const row = byHash.get(hash);
      return row && toApiKey(row);
    },
    async revoke(workspace, id, at) {
      return revoke.run(at, workspace, id).changes === 1;
    },
  };
}
