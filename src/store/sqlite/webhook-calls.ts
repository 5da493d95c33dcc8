/** `webhookCalls`: webhook tasks' calls by token hash (migration 010). */
import { toWebhookCall, type WebhookCallColumns } from '../rows.js';
import type { WebhookCallRecords } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareWebhookCalls(db: SqliteDatabase): WebhookCallRecords {
  const insert = db.prepare(
    'INSERT INTO webhook_calls (token_hash, run_id, node_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const byHash = db.prepare<[string], WebhookCallColumns>('SELECT * FROM webhook_calls WHERE token_hash = ?');
  const delivered = db.prepare('UPDATE webhook_calls SET delivered_at = ? WHERE token_hash = ? AND delivered_at IS NULL');
  const answer = db.prepare('UPDATE webhook_calls SET answer = ?, answered_at = ? WHERE token_hash = ? AND answered_at IS NULL');
  const answered = db.prepare<[string], WebhookCallColumns>(
    'SELECT * FROM webhook_calls WHERE token_hash IN (SELECT value FROM json_each(?)) AND answered_at IS NOT NULL',
  );
  return {
    async open(row) {
      insert.run(row.tokenHash, row.runId, row.nodeId, row.createdAt);
      return toWebhookCall(byHash.get(row.tokenHash) as WebhookCallColumns);
    },
    async delivered(tokenHash, at) {
      delivered.run(at, tokenHash);
    },
    async byHash(tokenHash) {
      const row = byHash.get(tokenHash);
      return row && toWebhookCall(row);
    },
    async answer(tokenHash, result, at) {
      return answer.run(JSON.stringify(result), at, tokenHash).changes === 1;
    },
    async answered(tokenHashes) {
      return tokenHashes.length === 0 ? [] : answered.all(JSON.stringify(tokenHashes)).map(toWebhookCall);
    },
  };
}
