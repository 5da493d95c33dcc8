/**
 * `readEvents()`: a run's log after a sequence number, oldest first. A row holds one commit's
 * events under the key `(num << 32) | first seq` (migration 004), so the read starts at the row
 * that may hold `afterSeq + 1` — the last one starting at or before it — and drops what comes
 * before.
 */
import type { RunEvent } from '../../engine/types.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareReadEvents(db: SqliteDatabase): (runId: string, afterSeq?: number, limit?: number) => RunEvent[] {
  const select = db
    .prepare(
      `WITH run (low) AS (SELECT num << 32 FROM runs WHERE id = @runId)
       SELECT events FROM run_log, run
       WHERE key >= coalesce((SELECT max(key) FROM run_log WHERE key BETWEEN run.low AND run.low + @afterSeq + 1), run.low)
         AND key < run.low + 4294967296
       ORDER BY key LIMIT @rows`,
    )
    .pluck();
  return (runId, afterSeq = 0, limit) => {
    // A negative limit is none, as in the other stores.
    const bounded = limit !== undefined && limit >= 0;
    // Every row holds at least one event, and only the first row read can hold none wanted.
    const rows = select.all({ runId, afterSeq, rows: bounded ? limit + 1 : -1 }) as string[];
    const events: RunEvent[] = [];
    for (const json of rows) for (const event of JSON.parse(json) as RunEvent[]) if (event.seq > afterSeq) events.push(event);
    return bounded && events.length > limit ? events.slice(0, limit) : events;
  };
}
