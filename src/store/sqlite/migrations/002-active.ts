/**
 * `runs.active`: the run has work a process must drive — a running branch, or a step or child
 * run in flight (a parent parked on its child counts). Start-up resumes exactly these; before,
 * it went by status, and a parent waiting on a signal in one branch and on a child in the other
 * was not resumed. Partial index: only active runs are in it, and most runs are not.
 */
export const sql = `
ALTER TABLE runs ADD COLUMN active INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET active = 1 WHERE status IN ('running', 'queued');
CREATE INDEX runs_active ON runs (created_at) WHERE active = 1;
`;
