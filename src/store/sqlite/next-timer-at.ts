/** `nextTimerAt()`: when the earliest pending timer fires (read off the `fire_at` index). */
import type { SqliteDatabase } from './open-database.js';

export function prepareNextTimerAt(db: SqliteDatabase): () => number | undefined {
  const select = db.prepare('SELECT MIN(fire_at) FROM timers').pluck();
  return () => (select.get() as number | null) ?? undefined;
}
