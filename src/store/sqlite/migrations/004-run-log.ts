/**
 * The run log becomes `run_log`: one row per commit, keyed by one integer, so that a commit
 * appends one row and SQLite grows the log the cheap way.
 *
 * Why: `run_events` was WITHOUT ROWID, keyed by (run_id, seq). SQLite appends to the end of a
 * rowid table by starting a new page when the last one is full (two pages written); a keyed
 * B-tree instead rebalances the last page with its neighbours, and did so on two commits in
 * ten, four to five pages each. With a step's two events in one row as well, a sequential run
 * of ten steps writes 2.2 pages a commit instead of 3.05 (counted in the WAL).
 *
 * - `runs` gets `num INTEGER PRIMARY KEY`: the run's key in the log. An explicit primary key,
 *   not the implicit rowid, because VACUUM may renumber an implicit rowid.
 * - `run_log.key` is `(num << 32) | seq` of the commit's first event, so a run's log is one key
 *   range, in order. `events` is the commit's events (a JSON array), `steps` the step rows it
 *   finished (as `run_events.steps` held them, migration 003).
 * - Two writers that continue one run from the same durable point still collide: each writes
 *   its next row right after that point, under the same key.
 * - Existing events are copied, one row per event as they were; absent fields stay absent.
 */
export const sql = `
CREATE TABLE runs_v4 (
  num           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  flow_id       TEXT NOT NULL,
  flow_version  INTEGER NOT NULL,
  status        TEXT NOT NULL,
  reason        TEXT NOT NULL,
  parent_run_id TEXT,
  parent_seq    INTEGER,
  state         TEXT NOT NULL,
  event_seq     INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  active        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO runs_v4 (num, id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state, event_seq,
  created_at, updated_at, active)
  SELECT rowid, id, flow_id, flow_version, status, reason, parent_run_id, parent_seq, state, event_seq, created_at,
    updated_at, active
  FROM runs ORDER BY rowid;
DROP TABLE runs;
ALTER TABLE runs_v4 RENAME TO runs;
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_parent ON runs (parent_run_id, parent_seq) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_flow ON runs (flow_id, created_at);
CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_active ON runs (created_at) WHERE active = 1;

CREATE TABLE run_log (
  key    INTEGER PRIMARY KEY,
  events TEXT NOT NULL,
  steps  TEXT
);
INSERT INTO run_log (key, events, steps)
  SELECT key, json_array(json(CASE WHEN data IS NULL THEN o2 ELSE json_set(o2, '$.data', json(data)) END)), steps
  FROM (
    SELECT key, data, steps, CASE WHEN token IS NULL THEN o1 ELSE json_set(o1, '$.token', token) END AS o2
    FROM (
      SELECT key, data, steps, token,
        CASE WHEN node_id IS NULL THEN o0 ELSE json_set(o0, '$.nodeId', node_id) END AS o1
      FROM (
        SELECT (r.num << 32) | e.seq AS key, e.data, e.steps, e.token, e.node_id,
          json_object('seq', e.seq, 'type', e.type, 'at', e.at) AS o0
        FROM run_events e JOIN runs r ON r.id = e.run_id
      )
    )
  )
  ORDER BY key;
DROP TABLE run_events;
`;
