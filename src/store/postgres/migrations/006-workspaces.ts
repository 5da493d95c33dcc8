/**
 * Workspaces (F9.2): API keys, each scoped to one workspace, stored as the SHA-256 of the
 * secret (the secret itself is shown once, at creation, and never stored). Numbered 006 like
 * SQLite's, so both dialects' schema versions name the same change.
 */
export const sql = `
CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  workspace  TEXT NOT NULL,
  name       TEXT NOT NULL,
  hash       TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys (workspace, created_at);
`;
