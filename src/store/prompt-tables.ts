/**
 * The tables of prompt runs and chats (F4.5, F4.6), migration 007 of both dialects: prompt
 * versions, scoped variables, prompt runs with their totals (kept equal to the sum of their
 * tasks: both change in one transaction), tasks, chats and their messages. JSON is kept as text,
 * so metadata of an unknown version reads back exactly as written. Shipped: never edit it, add a
 * migration instead.
 *
 * @param time the dialect's 64-bit integer type (times, tokens, credits).
 */
export const promptTablesSql = (time: 'INTEGER' | 'BIGINT'): string => `
CREATE TABLE prompt_versions (
  workspace  TEXT NOT NULL,
  prompt_id  TEXT NOT NULL,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at ${time} NOT NULL,
  PRIMARY KEY (workspace, prompt_id, version)
);
CREATE TABLE prompt_variables (
  workspace  TEXT NOT NULL,
  scope      TEXT NOT NULL,
  owner      TEXT NOT NULL,
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,
  updated_at ${time} NOT NULL,
  PRIMARY KEY (workspace, scope, owner, name)
);
CREATE TABLE prompt_runs (
  id             TEXT PRIMARY KEY,
  workspace      TEXT NOT NULL,
  prompt_id      TEXT NOT NULL,
  prompt_version INTEGER NOT NULL,
  user_id        TEXT,
  project_id     TEXT,
  run_values     TEXT NOT NULL,
  tasks          ${time} NOT NULL DEFAULT 0,
  tokens_in      ${time} NOT NULL DEFAULT 0,
  tokens_out     ${time} NOT NULL DEFAULT 0,
  credits        ${time} NOT NULL DEFAULT 0,
  created_at     ${time} NOT NULL,
  updated_at     ${time} NOT NULL
);
CREATE INDEX prompt_runs_workspace ON prompt_runs (workspace, created_at);
CREATE TABLE prompt_tasks (
  run_id      TEXT NOT NULL REFERENCES prompt_runs (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  model       TEXT NOT NULL,
  message     TEXT NOT NULL,
  system      TEXT,
  variables   TEXT NOT NULL,
  status      TEXT NOT NULL,
  output      TEXT,
  tokens_in   ${time} NOT NULL DEFAULT 0,
  tokens_out  ${time} NOT NULL DEFAULT 0,
  credits     ${time} NOT NULL DEFAULT 0,
  ttft_ms     ${time},
  duration_ms ${time},
  error       TEXT,
  started_at  ${time} NOT NULL,
  ended_at    ${time},
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE chats (
  id         TEXT PRIMARY KEY,
  workspace  TEXT NOT NULL,
  title      TEXT NOT NULL,
  metadata   TEXT NOT NULL,
  created_at ${time} NOT NULL,
  updated_at ${time} NOT NULL
);
CREATE INDEX chats_workspace ON chats (workspace, updated_at);
CREATE TABLE chat_messages (
  chat_id    TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  role       TEXT NOT NULL,
  content    TEXT NOT NULL,
  metadata   TEXT NOT NULL,
  created_at ${time} NOT NULL,
  PRIMARY KEY (chat_id, seq)
);
`;
