/**
 * `listSteps()`: a run's finished step rows, by seq. They are carried by the run's log (the
 * `steps` column of the commit's row, migrations 003 and 004) and, for rows written before 003 or
 * by a commit without events, by the `steps` table. A step run again after a crash is written
 * again under its seq: the later row wins.
 */
import type { ErrorInfo } from '../../errors.js';
import { type StepColumns, toStepRecord } from '../rows.js';
import type { StepRecordRow, StepRow } from '../store.js';
import { fromJson } from './columns.js';
import type { SqliteDatabase } from './open-database.js';

interface StepDbRow extends StepColumns {
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
}

export function prepareListSteps(db: SqliteDatabase): (runId: string) => StepRecordRow[] {
  const fromTable = db.prepare(
    `SELECT seq, node_id, branch, attempt, item, status, input, output, error, started_at, ended_at
     FROM steps WHERE run_id = ?`,
  );
  const fromLog = db
    .prepare(
      `WITH run (low) AS (SELECT num << 32 FROM runs WHERE id = ?)
       SELECT steps FROM run_log, run WHERE key >= run.low AND key < run.low + 4294967296 AND steps IS NOT NULL ORDER BY key`,
    )
    .pluck();
  return (runId) => {
    const bySeq = new Map<number, StepRecordRow>();
    for (const r of fromTable.all(runId) as StepDbRow[]) {
      bySeq.set(
        r.seq,
        toStepRecord(runId, r, {
          input: r.input === null ? undefined : fromJson(r.input),
          output: r.output === null ? undefined : fromJson(r.output),
          error: r.error === null ? undefined : (fromJson(r.error) as ErrorInfo),
        }),
      );
    }
    for (const json of fromLog.all(runId) as string[]) {
      for (const row of JSON.parse(json) as StepRow[]) bySeq.set(row.seq, { runId, ...row });
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  };
}
