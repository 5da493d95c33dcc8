/**
 * One ownership model for the embedded store as for PostgreSQL (issue 12): a lease per run, so
 * that two processes on one file never execute one run at once and a dead holder's runs are
 * taken over. The columns and tables mean what they mean in PostgreSQL's migration 002:
 *
 * - `lease_owner`/`lease_until`: which process advances the run and until when (ms; processes on
 *   one SQLite file share a machine, hence a clock). A process that stops renewing loses it.
 * - `fence` goes up by one on every claim; a commit carrying an older fence is refused.
 * - `run_inbox`: events for a run from processes that do not hold it; the holder applies and
 *   deletes each in the checkpoint that records it.
 * - `step_tasks`: steps whose action the holder lacks, offered to processes that have it.
 */
export const sql = `
ALTER TABLE runs ADD COLUMN lease_owner TEXT;
ALTER TABLE runs ADD COLUMN lease_until INTEGER;
ALTER TABLE runs ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;

CREATE TABLE run_inbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id     TEXT NOT NULL,
  event      TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX run_inbox_run ON run_inbox (run_id, id);

CREATE TABLE step_tasks (
  run_id      TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  action      TEXT NOT NULL,
  request     TEXT NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX step_tasks_action ON step_tasks (action, created_at);
`;
