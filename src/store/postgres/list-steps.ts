/** `listSteps()`: a run's finished step rows, by seq. */
import type { ErrorInfo } from '../../errors.js';
import type { StepRecordRow, StepRow } from '../store.js';
import type { PostgresPool } from './open-pool.js';

interface StepDbRow {
  readonly seq: number;
  readonly node_id: string;
  readonly branch: string;
  readonly attempt: number;
  readonly item: number | null;
  readonly status: StepRow['status'];
  readonly input: unknown;
  readonly output: unknown;
  readonly error: ErrorInfo | null;
  readonly started_at: number;
  readonly ended_at: number;
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
    return rows.map((r) => ({
      runId,
      seq: r.seq,
      nodeId: r.node_id,
      branch: r.branch,
      attempt: r.attempt,
      ...(r.item === null ? {} : { item: r.item }),
      status: r.status,
      ...(r.no_input ? {} : { input: r.input }),
      ...(r.no_output ? {} : { output: r.output }),
      ...(r.error === null ? {} : { error: r.error }),
      startedAt: r.started_at,
      endedAt: r.ended_at,
    }));
  };
}
