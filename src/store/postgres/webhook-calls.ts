/** `webhookCalls`: webhook tasks' calls by token hash (migration 010). */
import { toWebhookCall, type WebhookCallColumns } from '../rows.js';
import type { WebhookCallRecords } from '../store.js';
import type { PostgresPool } from './open-pool.js';

export function prepareWebhookCalls(pool: PostgresPool): WebhookCallRecords {
  const byHash = async (tokenHash: string) => {
    const { rows } = await pool.query<WebhookCallColumns>('SELECT * FROM webhook_calls WHERE token_hash = $1', [tokenHash]);
    return rows[0] && toWebhookCall(rows[0]);
  };
  return {
    async open(row) {
      await pool.query(
        'INSERT INTO webhook_calls (token_hash, run_id, node_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [row.tokenHash, row.runId, row.nodeId, row.createdAt],
      );
      return (await byHash(row.tokenHash)) as NonNullable<Awaited<ReturnType<typeof byHash>>>;
    },
    async delivered(tokenHash, at) {
      await pool.query('UPDATE webhook_calls SET delivered_at = $1 WHERE token_hash = $2 AND delivered_at IS NULL', [
        at,
        tokenHash,
      ]);
    },
    byHash,
    async answer(tokenHash, answer, at) {
      const result = await pool.query(
        'UPDATE webhook_calls SET answer = $1, answered_at = $2 WHERE token_hash = $3 AND answered_at IS NULL',
        [JSON.stringify(answer), at, tokenHash],
      );
      return result.rowCount === 1;
    },
    async answered(tokenHashes) {
      if (tokenHashes.length === 0) return [];
      const { rows } = await pool.query<WebhookCallColumns>(
        'SELECT * FROM webhook_calls WHERE token_hash = ANY ($1::text[]) AND answered_at IS NOT NULL',
        [tokenHashes],
      );
      return rows.map(toWebhookCall);
    },
  };
}
