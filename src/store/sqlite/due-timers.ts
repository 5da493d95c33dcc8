/** `dueTimers()`: timers due at or before `now`, earliest first (ties by run and seq, for stable order). */
import type { TimerRow } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

type Row = [runId: string, seq: number, fireAt: number];

export function prepareDueTimers(db: SqliteDatabase): (now: number, limit?: number) => TimerRow[] {
  const select = db
    .prepare('SELECT run_id, seq, fire_at FROM timers WHERE fire_at <= ? ORDER BY fire_at, run_id, seq LIMIT ?')
    .raw();
  return (now, limit) => (select.all(now, limit ?? -1) as Row[]).map(([runId, seq, fireAt]) => ({ runId, seq, fireAt }));
}
