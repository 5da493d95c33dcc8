/**
 * Workspaces (F9.2): API keys, each scoped to one workspace, stored as the SHA-256 of the
 * secret (the secret itself is shown once, at creation, and never stored).
 */
export const sql = `
CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  workspace  TEXT NOT NULL,
  name       TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_workspace ON api_keys (workspace, created_at);
`;
