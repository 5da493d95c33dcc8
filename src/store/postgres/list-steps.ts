/** `listSteps()`: a run's finished step rows, by seq. */
import type { ErrorInfo } from '../../errors.js';
import { type StepColumns, toStepRecord } from '../rows.js';
import type { StepRecordRow } from '../store.js';
import type { PostgresPool } from './open-pool.js';

interface StepDbRow extends StepColumns {
  readonly input: unknown;
  readonly output: unknown;
  readonly error: ErrorInfo | null;
  readonly no_input: boolean;
  readonly no_output: boolean;
}

// `IS NULL` flags tell an absent value (SQL NULL) from a JSON null, which the driver also gives as null.
const SQL = `SELECT seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at,
    input IS NULL AS no_input, output IS NULL AS no_output
  FROM steps WHERE run_id = $1 ORDER BY seq`;

export function prepareListSteps(pool: PostgresPool): (runId: string) => Promise<StepRecordRow[]> {
  return async (runId) => {
    const { rows } = await pool.query<StepDbRow>(SQL, [runId]);
    return rows.map((r) =>
      toStepRecord(runId, r, {
        input: r.no_input ? undefined : r.input,
        output: r.no_output ? undefined : r.output,
        error: r.error ?? undefined,
      }),
    );
  };
}
