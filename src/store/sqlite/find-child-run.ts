/** `findChildRun()`: the child run a parent started for one effect seq (idempotent child creation). */
import type { SqliteDatabase } from './open-database.js';

export function prepareFindChildRun(db: SqliteDatabase): (parentRunId: string, seq: number) => string | undefined {
  const select = db.prepare('SELECT id FROM runs WHERE parent_run_id = ? AND parent_seq = ? LIMIT 1').pluck();
  return (parentRunId, seq) => select.get(parentRunId, seq) as string | undefined;
}
