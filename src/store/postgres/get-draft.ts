/** `getDraft()`: a flow's draft, parsed fresh on every call (callers may mutate it). */
import type { PostgresPool } from './open-pool.js';

export function prepareGetDraft(pool: PostgresPool): (flowId: string) => Promise<Record<string, unknown> | undefined> {
  return async (flowId) => {
    const { rows } = await pool.query<{ draft: Record<string, unknown> | null }>('SELECT draft FROM flows WHERE flow_id = $1', [
      flowId,
    ]);
    return rows[0]?.draft ?? undefined;
  };
}
