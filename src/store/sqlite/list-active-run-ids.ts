/** `listActiveRunIds()`: runs with work a process must drive (the `active` column), oldest first. */
import type { SqliteDatabase } from './open-database.js';

export function prepareListActiveRunIds(db: SqliteDatabase): () => string[] {
  const select = db.prepare('SELECT id FROM runs WHERE active = 1 ORDER BY created_at, id').pluck();
  return () => select.all() as string[];
}
