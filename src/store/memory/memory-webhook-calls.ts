/** Webhook tasks' calls in memory (the memory store's `webhookCalls`). */
import type { WebhookCallRecords, WebhookCallRow } from '../store.js';

export function createMemoryWebhookCalls(): WebhookCallRecords & { forgetRun(runId: string): void } {
  const rows = new Map<string, WebhookCallRow>();
  return {
    async open(row) {
      const stored = rows.get(row.tokenHash) ?? { ...row };
      rows.set(row.tokenHash, stored);
      return { ...stored };
    },
    async delivered(tokenHash, at) {
      const row = rows.get(tokenHash);
      if (row && row.deliveredAt === undefined) rows.set(tokenHash, { ...row, deliveredAt: at });
    },
    async byHash(tokenHash) {
      const row = rows.get(tokenHash);
      return row && { ...row };
    },
    async answer(tokenHash, answer, at) {
      const row = rows.get(tokenHash);
      if (!row || row.answeredAt !== undefined) return false;
      rows.set(tokenHash, { ...row, answer, answeredAt: at });
      return true;
    },
    async answered(tokenHashes) {
      return tokenHashes.flatMap((hash) => {
        const row = rows.get(hash);
        return row?.answeredAt === undefined ? [] : [{ ...row }];
      });
    },
    forgetRun(runId) {
      for (const [hash, row] of rows) if (row.runId === runId) rows.delete(hash);
    },
  };
}
