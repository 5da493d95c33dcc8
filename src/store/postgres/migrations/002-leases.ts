/**
 * Many workers on one database (F8.3): leases, fencing and each run's inbox.
 *
 * - `lease_owner`/`lease_until` say which worker advances a run and until when (database time,
 *   milliseconds, so workers' clocks never disagree). A worker that stops renewing loses it.
 * - `fence` goes up by one on every claim. A commit carries the fence its worker claimed with and
 *   is refused when the run has been claimed since (a stale worker can never write).
 * - `active`: the run has work a worker must drive (a running branch, a step or child in flight).
 *   Parked runs are not active and hold no lease; they come back through their inbox or a timer.
 * - `run_inbox`: events for a run from processes that do not hold it (signals from the API, step
 *   results of remote workers, a child's outcome). Its holder applies and deletes them in the
 *   checkpoint that records them, so each is applied exactly once.
 * - `step_tasks`: steps whose action the run's holder does not have, offered to the workers that
 *   do (a worker pulls only steps it can run); the result goes to the run's inbox.
 * - `steps.commits` counts writes of one step row: more than one means two writers committed the
 *   same step, which fencing forbids (the chaos test checks it stays 1).
 */
export const sql = `
ALTER TABLE runs
  ADD COLUMN lease_owner TEXT,
  ADD COLUMN lease_until BIGINT,
  ADD COLUMN fence BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN active BOOLEAN NOT NULL DEFAULT false;
UPDATE runs SET active = status IN ('running', 'queued');
-- On created_at, not updated_at: the per-step UPDATE must not touch an indexed column (HOT).
CREATE INDEX runs_claimable ON runs (created_at) WHERE active;

ALTER TABLE steps ADD COLUMN worker TEXT, ADD COLUMN commits INTEGER NOT NULL DEFAULT 1;

CREATE TABLE run_inbox (
  id         BIGSERIAL PRIMARY KEY,
  run_id     TEXT NOT NULL,
  event      JSONB NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX run_inbox_run ON run_inbox (run_id, id);

CREATE TABLE step_tasks (
  run_id      TEXT NOT NULL,
  seq         BIGINT NOT NULL,
  action      TEXT NOT NULL,
  request     JSONB NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX step_tasks_action ON step_tasks (action, created_at);

CREATE FUNCTION runloom_now() RETURNS BIGINT LANGUAGE sql VOLATILE AS $fn$
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
$fn$;

CREATE OR REPLACE FUNCTION runloom_require_runs(expected TEXT[], updated TEXT[]) RETURNS INTEGER
LANGUAGE plpgsql AS $fn$
DECLARE
  missing TEXT;
BEGIN
  IF cardinality(expected) = cardinality(updated) THEN
    RETURN 0;
  END IF;
  SELECT e INTO missing FROM unnest(expected) AS e WHERE e <> ALL (updated) LIMIT 1;
  IF EXISTS (SELECT 1 FROM runs WHERE id = missing) THEN
    RAISE EXCEPTION 'run ''%'' is held by another worker now (its lease was lost): nothing written', missing
      USING ERRCODE = 'RLM02';
  END IF;
  RAISE EXCEPTION 'run ''%'' was never created: commit its first checkpoint with created: true', missing
    USING ERRCODE = 'RLM01';
END
$fn$;
`;
