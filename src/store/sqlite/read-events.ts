/** `readEvents()`: a run's log after a sequence number, oldest first (the primary key order). */
import type { RunEvent } from '../../engine/types.js';
import { fromJson } from './columns.js';
import type { SqliteDatabase } from './open-database.js';

type EventRow = [seq: number, type: string, at: number, nodeId: string | null, token: number | null, data: string | null];

export function prepareReadEvents(db: SqliteDatabase): (runId: string, afterSeq?: number, limit?: number) => RunEvent[] {
  const select = db
    .prepare('SELECT seq, type, at, node_id, token, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
    .raw();
  return (runId, afterSeq = 0, limit) =>
    (select.all(runId, afterSeq, limit ?? -1) as EventRow[]).map(([seq, type, at, nodeId, token, data]) => {
      const event: { seq: number; type: string; at: number; nodeId?: string; token?: number; data?: unknown } = { seq, type, at };
      if (nodeId !== null) event.nodeId = nodeId;
      if (token !== null) event.token = token;
      if (data !== null) event.data = fromJson(data);
      return event;
    });
}
