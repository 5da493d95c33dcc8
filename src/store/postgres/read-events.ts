/** `readEvents()`: a run's log after a sequence number, oldest first (the primary key order). */
import type { RunEvent } from '../../engine/types.js';
import type { PostgresPool } from './open-pool.js';

interface EventRow {
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  readonly node_id: string | null;
  readonly token: number | null;
  readonly data: unknown;
}

// `data IS NULL` tells an absent payload (SQL NULL) from a JSON null ('null'::jsonb).
const SQL = `SELECT seq, type, at, node_id, token, data, data IS NULL AS absent FROM run_events
  WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`;

export function prepareReadEvents(pool: PostgresPool): (runId: string, afterSeq?: number, limit?: number) => Promise<RunEvent[]> {
  return async (runId, afterSeq = 0, limit) => {
    const { rows } = await pool.query<EventRow & { absent: boolean }>({
      name: 'runloom.read-events',
      text: SQL,
      // LIMIT NULL is none; a negative limit is none too, as in the other stores (PostgreSQL refuses one).
      values: [runId, afterSeq, limit === undefined || limit < 0 ? null : limit],
    });
    return rows.map((r) => {
      const event: { seq: number; type: string; at: number; nodeId?: string; token?: number; data?: unknown } = {
        seq: r.seq,
        type: r.type,
        at: r.at,
      };
      if (r.node_id !== null) event.nodeId = r.node_id;
      if (r.token !== null) event.token = r.token;
      if (!r.absent) event.data = r.data;
      return event;
    });
  };
}
