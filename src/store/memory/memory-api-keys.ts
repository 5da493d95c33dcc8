/** API keys in memory (the memory store's `apiKeys`). */
import type { ApiKeyRecords, ApiKeyRow } from '../store.js';

export function createMemoryApiKeys(): ApiKeyRecords {
  const rows: ApiKeyRow[] = [];
  return {
    async insert(row) {
      if (rows.some((r) => r.id === row.id || r.hash === row.hash)) throw new Error(`api key '${row.id}' exists`);
      rows.push({ ...row });
    },
    async list(workspace) {
      return rows.filter((r) => workspace === undefined || r.workspace === workspace).map((r) => ({ ...r }));
    },
    async byHash(hash) {
      const row = rows.find((r) => r.hash === hash);
      return row && { ...row };
    },
    async revoke(workspace, id, at) {
      const i = rows.findIndex((r) => r.id === id && r.workspace === workspace && r.revokedAt === undefined);
      if (i < 0) return false;
      rows[i] = { ...rows[i], revokedAt: at };
      return true;
    },
  };
}
