/**
 * `deleteEndedRuns()`: a batch of ended runs and everything of theirs, in one transaction. Each
 * run is checked again inside it, so a run retried since it was listed is left alone.
 */
import { endedBeforeSql } from '../rows.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareDeleteEndedRuns(db: SqliteDatabase): (runIds: readonly string[], before: number) => string[] {
  const pick = db.prepare(`SELECT r.num FROM runs r WHERE r.id = @id AND ${endedBeforeSql('@before')}`).pluck();
  // A run's log is the key range of its number (migration 004).
  const deleteLog = db.prepare('DELETE FROM run_log WHERE key >= (@num << 32) AND key < ((@num + 1) << 32)');
  const deleteSteps = db.prepare('DELETE FROM steps WHERE run_id = ?');
  const deleteTimers = db.prepare('DELETE FROM timers WHERE run_id = ?');
  const deleteWebhookCalls = db.prepare('DELETE FROM webhook_calls WHERE run_id = ?');
  const deleteRun = db.prepare('DELETE FROM runs WHERE num = ?');
  return db.transaction((runIds: readonly string[], before: number) => {
    const deleted: string[] = [];
    for (const id of runIds) {
      const num = pick.get({ id, before }) as number | undefined;
      if (num === undefined) continue;
      deleteLog.run({ num });
      deleteSteps.run(id);
      deleteTimers.run(id);
      deleteWebhookCalls.run(id);
      deleteRun.run(num);
      deleted.push(id);
    }
    return deleted;
  });
}
