/** `listActiveRunIds()`: runs to resume on start-up (`running` or `queued`), oldest first. */
import type { SqliteDatabase } from './open-database.js';

export function prepareListActiveRunIds(db: SqliteDatabase): () => string[] {
  const select = db.prepare("SELECT id FROM runs WHERE status IN ('running', 'queued') ORDER BY created_at, id").pluck();
  return () => select.all() as string[];
}
