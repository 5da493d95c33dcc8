/** `listSteps()`: a run's finished step rows, by seq. */
import type { ErrorInfo } from '../../errors.js';
import type { StepRecordRow, StepRow } from '../store.js';
import { fromJson } from './columns.js';
import type { SqliteDatabase } from './open-database.js';

interface StepDbRow {
  readonly seq: number;
  readonly node_id: string;
  readonly branch: string;
  readonly attempt: number;
  readonly item: number | null;
  readonly status: StepRow['status'];
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
  readonly started_at: number;
  readonly ended_at: number;
}

export function prepareListSteps(db: SqliteDatabase): (runId: string) => StepRecordRow[] {
  const select = db.prepare(
    `SELECT seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at
     FROM steps WHERE run_id = ? ORDER BY seq`,
  );
  return (runId) =>
    (select.all(runId) as StepDbRow[]).map((r) => ({
      runId,
      seq: r.seq,
      nodeId: r.node_id,
      branch: r.branch,
      attempt: r.attempt,
      ...(r.item === null ? {} : { item: r.item }),
      status: r.status,
      ...(r.input === null ? {} : { input: fromJson(r.input) }),
      ...(r.output === null ? {} : { output: fromJson(r.output) }),
      ...(r.error === null ? {} : { error: fromJson(r.error) as ErrorInfo }),
      startedAt: r.started_at,
      endedAt: r.ended_at,
    }));
}
