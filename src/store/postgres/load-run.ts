/** `loadRun()`: a run's last committed state snapshot (the driver parses the `jsonb`). */
import type { RunState } from '../../engine/types.js';
import type { PostgresPool } from './open-pool.js';

export function prepareLoadRun(pool: PostgresPool): (runId: string) => Promise<RunState | undefined> {
  return async (runId) => {
    const { rows } = await pool.query<{ state: RunState }>({
      name: 'runloom.load-run',
      text: 'SELECT state FROM runs WHERE id = $1',
      values: [runId],
    });
    return rows[0]?.state;
  };
}
