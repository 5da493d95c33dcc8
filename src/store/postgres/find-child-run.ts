/** `findChildRun()`: the child run a parent started for one effect seq (idempotent child creation). */
import type { PostgresPool } from './open-pool.js';

export function prepareFindChildRun(pool: PostgresPool): (parentRunId: string, seq: number) => Promise<string | undefined> {
  return async (parentRunId, seq) => {
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM runs WHERE parent_run_id = $1 AND parent_seq = $2 LIMIT 1',
      [parentRunId, seq],
    );
    return rows[0]?.id;
  };
}
