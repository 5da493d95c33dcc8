/** `listSteps()`: a run's finished step rows, by seq. */
import type { ErrorInfo } from '../../errors.js';
import { type StepColumns, toStepRecord } from '../rows.js';
import type { StepRecordRow } from '../store.js';
import { fromJson } from './columns.js';
import type { SqliteDatabase } from './open-database.js';

interface StepDbRow extends StepColumns {
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
}

export function prepareListSteps(db: SqliteDatabase): (runId: string) => StepRecordRow[] {
  const select = db.prepare(
    `SELECT seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at
     FROM steps WHERE run_id = ? ORDER BY seq`,
  );
  return (runId) =>
    (select.all(runId) as StepDbRow[]).map((r) =>
      toStepRecord(runId, r, {
        input: r.input === null ? undefined : fromJson(r.input),
        output: r.output === null ? undefined : fromJson(r.output),
        error: r.error === null ? undefined : (fromJson(r.error) as ErrorInfo),
      }),
    );
}
