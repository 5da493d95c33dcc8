/**
 * Journeys (F6): journeys with their mappings, public hooks, entities and their timelines,
 * arrivals (progression's outbox: written with the move that makes them) and the board's
 * counters, kept by the same transactions so that reading the board is never a scan.
 */
export const sql = `
CREATE TABLE journeys (
  workspace  TEXT NOT NULL,
  id         TEXT NOT NULL,
  mappings   TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace, id)
);
CREATE TABLE journey_hooks (
  slug       TEXT PRIMARY KEY,
  workspace  TEXT NOT NULL,
  journey_id TEXT NOT NULL,
  secret     TEXT,
  config     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX journey_hooks_workspace ON journey_hooks (workspace, slug);
CREATE TABLE journey_deliveries (
  slug       TEXT NOT NULL,
  key        TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (slug, key)
);
CREATE INDEX journey_deliveries_expiry ON journey_deliveries (expires_at);
CREATE TABLE journey_entities (
  workspace  TEXT NOT NULL,
  id         TEXT PRIMARY KEY,
  journey_id TEXT NOT NULL,
  email      TEXT,
  name       TEXT,
  attributes TEXT NOT NULL,
  metadata   TEXT NOT NULL,
  node_id    TEXT,
  status     TEXT NOT NULL,
  arrival_id TEXT,
  version    INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX journey_entities_email ON journey_entities (workspace, journey_id, email) WHERE email IS NOT NULL;
CREATE INDEX journey_entities_journey ON journey_entities (workspace, journey_id, id);
CREATE TABLE journey_events (
  entity_id TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  type      TEXT NOT NULL,
  at        INTEGER NOT NULL,
  data      TEXT NOT NULL,
  PRIMARY KEY (entity_id, seq)
) WITHOUT ROWID;
CREATE TABLE journey_arrivals (
  id           TEXT PRIMARY KEY,
  workspace    TEXT NOT NULL,
  journey_id   TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  node_id      TEXT NOT NULL,
  run_id       TEXT NOT NULL,
  flow_id      TEXT NOT NULL,
  flow_version INTEGER,
  input        TEXT NOT NULL,
  state        TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);
CREATE INDEX journey_arrivals_open ON journey_arrivals (created_at) WHERE state = 'open';
CREATE TABLE journey_board (
  workspace  TEXT NOT NULL,
  journey_id TEXT NOT NULL,
  node_id    TEXT NOT NULL,
  status     TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (workspace, journey_id, node_id, status)
) WITHOUT ROWID;
`;
