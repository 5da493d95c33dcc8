/** `loadRun()`: a run's last committed state snapshot. */
import type { RunState } from '../../engine/types.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareLoadRun(db: SqliteDatabase): (runId: string) => RunState | undefined {
  const select = db.prepare('SELECT state FROM runs WHERE id = ?').pluck();
  return (runId) => {
    const state = select.get(runId) as string | undefined;
    return state === undefined ? undefined : (JSON.parse(state) as RunState);
  };
}
