/**
 * Swarms (F5): the latest context of each swarm with its version, the last versions kept for
 * history and rollback (numbered 008 like SQLite's), and the credit ledger — accounts (swarm → run → step) with their running
 * sums, and every movement as an entry, from which the sums can be derived again (audit).
 */
export const sql = `
CREATE TABLE swarms (
  id            TEXT PRIMARY KEY,
  workspace     TEXT NOT NULL,
  name          TEXT NOT NULL,
  status        TEXT NOT NULL,
  version       INTEGER NOT NULL,
  context       JSONB NOT NULL,
  keep_versions INTEGER NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX swarms_workspace ON swarms (workspace, created_at);
CREATE TABLE swarm_versions (
  swarm_id  TEXT NOT NULL,
  workspace TEXT NOT NULL,
  version   INTEGER NOT NULL,
  context   JSONB NOT NULL,
  change    JSONB NOT NULL,
  at        BIGINT NOT NULL,
  PRIMARY KEY (swarm_id, version)
);
-- A write-back's key (a step's idempotency key) once applied: never applied twice. Kept when
-- versions are trimmed, so a replay long after still finds it.
CREATE TABLE swarm_writes (
  swarm_id  TEXT NOT NULL,
  write_key TEXT NOT NULL,
  version   INTEGER NOT NULL,
  PRIMARY KEY (swarm_id, write_key)
);
CREATE TABLE swarm_accounts (
  swarm_id  TEXT NOT NULL,
  workspace TEXT NOT NULL,
  id        TEXT NOT NULL,
  parent_id TEXT,
  kind      TEXT NOT NULL,
  holder    TEXT,
  budget    BIGINT NOT NULL,
  held      BIGINT NOT NULL,
  spent     BIGINT NOT NULL,
  status    TEXT NOT NULL,
  PRIMARY KEY (swarm_id, id)
);
CREATE INDEX swarm_accounts_open_children ON swarm_accounts (swarm_id, parent_id) WHERE status = 'open';
CREATE INDEX swarm_accounts_open_holder ON swarm_accounts (holder) WHERE status = 'open';
CREATE TABLE swarm_ledger (
  seq        BIGSERIAL PRIMARY KEY,
  swarm_id   TEXT NOT NULL,
  workspace  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  account_id TEXT NOT NULL,
  parent_id  TEXT,
  amount     BIGINT NOT NULL,
  holder     TEXT,
  at         BIGINT NOT NULL
);
CREATE INDEX swarm_ledger_swarm ON swarm_ledger (swarm_id, seq);
`;
