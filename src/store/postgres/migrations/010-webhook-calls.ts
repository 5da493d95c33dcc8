/**
 * Webhook tasks (F3.2): each call a webhook task made, by the SHA-256 of its callback token
 * (never the token), with the answer the receiver sent back once it came. Numbered 010 like
 * SQLite's.
 */
export const sql = `
CREATE TABLE webhook_calls (
  token_hash   TEXT PRIMARY KEY,
  run_id       TEXT NOT NULL,
  node_id      TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  delivered_at BIGINT,
  answered_at  BIGINT,
  answer       TEXT
);
CREATE INDEX webhook_calls_run ON webhook_calls (run_id);
`;
