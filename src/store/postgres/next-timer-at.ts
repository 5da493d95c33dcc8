/** `nextTimerAt()`: when the earliest pending timer fires (read off the `fire_at` index). */
import type { PostgresPool } from './open-pool.js';

export function prepareNextTimerAt(pool: PostgresPool): () => Promise<number | undefined> {
  return async () => {
    const { rows } = await pool.query<{ at: number | null }>('SELECT MIN(fire_at) AS at FROM timers');
    return rows[0].at ?? undefined;
  };
}
