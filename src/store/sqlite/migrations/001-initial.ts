/**
 * The first schema: flows and their immutable versions, runs (one row per run holding its state
 * snapshot), the append-only event log, finished step rows and pending timers.
 *
 * Why the shapes:
 * - JSON columns are TEXT: the engine state is parsed by `JSON.parse` anyway, and TEXT keeps the
 *   file readable with the sqlite3 shell.
 * - No STRICT: timestamps come from an injectable clock and may be fractional in tests.
 * - `run_events`, `steps` and `timers` are WITHOUT ROWID: their primary key IS the access path,
 *   so each insert touches one B-tree instead of a table plus an index (the commit hot path).
 * - No foreign keys: `commit()` writes a run's row, events and steps in one transaction, and an
 *   FK check would cost a lookup per event insert on the hottest path.
 */
export const sql = `
CREATE TABLE flows (
  flow_id        TEXT PRIMARY KEY,
  name           TEXT,
  draft          TEXT,
  latest_version INTEGER,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE flow_versions (
  flow_id    TEXT NOT NULL,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (flow_id, version)
);

CREATE TABLE runs (
  id            TEXT PRIMARY KEY,
  flow_id       TEXT NOT NULL,
  flow_version  INTEGER NOT NULL,
  status        TEXT NOT NULL,
  reason        TEXT NOT NULL,
  parent_run_id TEXT,
  parent_seq    INTEGER,
  state         TEXT NOT NULL,
  event_seq     INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_parent ON runs (parent_run_id, parent_seq) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_flow ON runs (flow_id, created_at);
CREATE INDEX runs_created ON runs (created_at);

CREATE TABLE run_events (
  run_id  TEXT NOT NULL,
  seq     INTEGER NOT NULL,
  type    TEXT NOT NULL,
  at      INTEGER NOT NULL,
  node_id TEXT,
  token   INTEGER,
  data    TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE steps (
  run_id     TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  node_id    TEXT NOT NULL,
  branch     TEXT NOT NULL,
  attempt    INTEGER NOT NULL,
  item       INTEGER,
  status     TEXT NOT NULL,
  input      TEXT,
  output     TEXT,
  error      TEXT,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE timers (
  run_id  TEXT NOT NULL,
  seq     INTEGER NOT NULL,
  fire_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX timers_fire_at ON timers (fire_at);
`;
