/**
 * The first schema, the same tables as SQLite's 001 with PostgreSQL types.
 *
 * Why the shapes:
 * - JSON columns are `jsonb`: queryable (`state->>'…'`) and compact; the driver parses them back.
 * - Times and seqs are BIGINT (milliseconds since the epoch overflow INTEGER); the pool parses
 *   int8 back to JS numbers (`open-pool.ts`), exact up to 2^53.
 * - `runs` has fillfactor 80: the per-step UPDATE touches no indexed column (status keeps its
 *   value on most steps), so room on the page lets it be a HOT update (no index writes).
 * - No foreign keys, as in SQLite: an FK check per event insert on the hottest path.
 * - `runloom_require_runs` fails `commit()`'s single statement when an update found no run, so
 *   the whole batch rolls back without a client-side BEGIN/COMMIT round trip.
 */
export const sql = `
CREATE TABLE flows (
  flow_id        TEXT PRIMARY KEY,
  name           TEXT,
  draft          JSONB,
  latest_version INTEGER,
  updated_at     BIGINT NOT NULL
);

CREATE TABLE flow_versions (
  flow_id    TEXT NOT NULL,
  version    INTEGER NOT NULL,
  definition JSONB NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (flow_id, version)
);

CREATE TABLE runs (
  id            TEXT PRIMARY KEY,
  flow_id       TEXT NOT NULL,
  flow_version  INTEGER NOT NULL,
  status        TEXT NOT NULL,
  reason        TEXT NOT NULL,
  parent_run_id TEXT,
  parent_seq    BIGINT,
  state         JSONB NOT NULL,
  event_seq     BIGINT NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
) WITH (fillfactor = 80);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_parent ON runs (parent_run_id, parent_seq) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_flow ON runs (flow_id, created_at);
CREATE INDEX runs_created ON runs (created_at);

CREATE TABLE run_events (
  run_id  TEXT NOT NULL,
  seq     BIGINT NOT NULL,
  type    TEXT NOT NULL,
  at      BIGINT NOT NULL,
  node_id TEXT,
  token   INTEGER,
  data    JSONB,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE steps (
  run_id     TEXT NOT NULL,
  seq        BIGINT NOT NULL,
  node_id    TEXT NOT NULL,
  branch     TEXT NOT NULL,
  attempt    INTEGER NOT NULL,
  item       INTEGER,
  status     TEXT NOT NULL,
  input      JSONB,
  output     JSONB,
  error      JSONB,
  started_at BIGINT NOT NULL,
  ended_at   BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE timers (
  run_id  TEXT NOT NULL,
  seq     BIGINT NOT NULL,
  fire_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX timers_fire_at ON timers (fire_at);

CREATE FUNCTION runloom_require_runs(expected TEXT[], updated TEXT[]) RETURNS INTEGER
LANGUAGE plpgsql AS $fn$
DECLARE
  missing TEXT;
BEGIN
  IF cardinality(expected) = cardinality(updated) THEN
    RETURN 0;
  END IF;
  SELECT e INTO missing FROM unnest(expected) AS e WHERE e <> ALL (updated) LIMIT 1;
  RAISE EXCEPTION 'run ''%'' was never created: commit its first checkpoint with created: true', missing
    USING ERRCODE = 'RLM01';
END
$fn$;
`;
