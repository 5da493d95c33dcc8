/**
 * `prompts` and `chats` on PostgreSQL (migration 007). A write that touches two rows is one
 * statement (a CTE), hence one transaction: a task ends and its run's totals grow together.
 */
import type { ChatRecords, PromptRecords } from '../prompt-records.js';
import { toChat, toChatMessage, toPromptRun, toPromptTask, toPromptVersion, toVariable } from '../prompt-rows.js';
import { toJson } from '../rows.js';
import type { PostgresPool } from './open-pool.js';

export function preparePrompts(pool: PostgresPool): PromptRecords {
  return {
    async publish(workspace, promptId, definition, at) {
      const text = JSON.stringify(definition);
      // Two publishers of one prompt race for the same number: the loser tries the next.
      for (;;) {
        const { rows } = await pool.query(
          `INSERT INTO prompt_versions (workspace, prompt_id, version, definition, created_at)
           SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4 FROM prompt_versions WHERE workspace = $1 AND prompt_id = $2
           ON CONFLICT DO NOTHING RETURNING *`,
          [workspace, promptId, text, at],
        );
        if (rows[0]) return toPromptVersion(rows[0]);
      }
    },
    async get(workspace, promptId, version) {
      const { rows } =
        version === undefined
          ? await pool.query(
              'SELECT * FROM prompt_versions WHERE workspace = $1 AND prompt_id = $2 ORDER BY version DESC LIMIT 1',
              [workspace, promptId],
            )
          : await pool.query('SELECT * FROM prompt_versions WHERE workspace = $1 AND prompt_id = $2 AND version = $3', [
              workspace,
              promptId,
              version,
            ]);
      return rows[0] && toPromptVersion(rows[0]);
    },
    async list(workspace) {
      const { rows } = await pool.query(
        `SELECT prompt_id, MAX(version) AS latest, MAX(created_at) AS updated_at FROM prompt_versions
         WHERE workspace = $1 GROUP BY prompt_id ORDER BY prompt_id`,
        [workspace],
      );
      return rows.map((r) => ({ promptId: r.prompt_id, latestVersion: r.latest, updatedAt: r.updated_at }));
    },
    async setVariable(r) {
      await pool.query(
        `INSERT INTO prompt_variables (workspace, scope, owner, name, value, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (workspace, scope, owner, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [r.workspace, r.scope, r.owner, r.name, JSON.stringify(r.value), r.updatedAt],
      );
    },
    async deleteVariable(workspace, scope, owner, name) {
      const result = await pool.query(
        'DELETE FROM prompt_variables WHERE workspace = $1 AND scope = $2 AND owner = $3 AND name = $4',
        [workspace, scope, owner, name],
      );
      return result.rowCount === 1;
    },
    async listVariables(workspace, scope, owner) {
      const { rows } = await pool.query(
        'SELECT * FROM prompt_variables WHERE workspace = $1 AND scope = $2 AND owner = $3 ORDER BY name',
        [workspace, scope, owner],
      );
      return rows.map(toVariable);
    },
    async createRun(r) {
      await pool.query(
        `INSERT INTO prompt_runs (id, workspace, prompt_id, prompt_version, user_id, project_id, run_values, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          r.id,
          r.workspace,
          r.promptId,
          r.promptVersion,
          r.user ?? null,
          r.project ?? null,
          JSON.stringify(r.values),
          r.createdAt,
          r.updatedAt,
        ],
      );
    },
    async getRun(id) {
      const { rows } = await pool.query('SELECT * FROM prompt_runs WHERE id = $1', [id]);
      return rows[0] && toPromptRun(rows[0]);
    },
    async listRuns(workspace, limit) {
      const { rows } = await pool.query(
        'SELECT * FROM prompt_runs WHERE workspace = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
        [workspace, limit],
      );
      return rows.map(toPromptRun);
    },
    async setRunValues(id, values, at) {
      const result = await pool.query('UPDATE prompt_runs SET run_values = $1, updated_at = $2 WHERE id = $3', [
        JSON.stringify(values),
        at,
        id,
      ]);
      return result.rowCount === 1;
    },
    async startTask(t) {
      // The run row's lock orders concurrent messages of one run: each gets the next seq.
      const { rows } = await pool.query(
        `WITH run AS (UPDATE prompt_runs SET tasks = tasks + 1, updated_at = $7 WHERE id = $1 RETURNING tasks)
         INSERT INTO prompt_tasks (run_id, seq, model, message, system, variables, status, started_at)
         SELECT $1, run.tasks, $2, $3, $4, $5, 'streaming', $6 FROM run RETURNING seq`,
        [t.runId, t.model, t.message, t.system ?? null, JSON.stringify(t.variables), t.startedAt, t.startedAt],
      );
      if (!rows[0]) throw new Error(`prompt run '${t.runId}' does not exist`);
      return rows[0].seq;
    },
    async finishTask(runId, seq, e) {
      const { rows } = await pool.query(
        `WITH task AS (
           UPDATE prompt_tasks SET status = $3, output = $4, tokens_in = $5, tokens_out = $6, credits = $7, ttft_ms = $8,
             duration_ms = $9, error = $10, ended_at = $11
           WHERE run_id = $1 AND seq = $2 AND status = 'streaming' RETURNING run_id)
         UPDATE prompt_runs SET tokens_in = tokens_in + $5, tokens_out = tokens_out + $6, credits = credits + $7, updated_at = $11
         FROM task WHERE prompt_runs.id = task.run_id RETURNING prompt_runs.id`,
        [
          runId,
          seq,
          e.status,
          e.output,
          e.tokensIn,
          e.tokensOut,
          e.credits,
          e.ttftMs ?? null,
          e.durationMs,
          toJson(e.error),
          e.endedAt,
        ],
      );
      return rows.length === 1;
    },
    async listTasks(runId) {
      const { rows } = await pool.query('SELECT * FROM prompt_tasks WHERE run_id = $1 ORDER BY seq', [runId]);
      return rows.map(toPromptTask);
    },
  };
}

export function prepareChats(pool: PostgresPool): ChatRecords {
  return {
    async create(r) {
      await pool.query(
        'INSERT INTO chats (id, workspace, title, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [r.id, r.workspace, r.title, JSON.stringify(r.metadata), r.createdAt, r.updatedAt],
      );
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM chats WHERE id = $1', [id]);
      return rows[0] && toChat(rows[0]);
    },
    async list(workspace, limit) {
      const { rows } = await pool.query('SELECT * FROM chats WHERE workspace = $1 ORDER BY updated_at DESC, id DESC LIMIT $2', [
        workspace,
        limit,
      ]);
      return rows.map(toChat);
    },
    async setMetadata(id, metadata, at) {
      const result = await pool.query('UPDATE chats SET metadata = $1, updated_at = $2 WHERE id = $3', [
        JSON.stringify(metadata),
        at,
        id,
      ]);
      return result.rowCount === 1;
    },
    async addMessage(m) {
      // The chat row's lock (the touch) orders concurrent messages: each gets the next seq.
      const { rows } = await pool.query(
        `WITH chat AS (UPDATE chats SET updated_at = $5 WHERE id = $1 RETURNING id)
         INSERT INTO chat_messages (chat_id, seq, role, content, metadata, created_at)
         SELECT chat.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_messages WHERE chat_id = $1), $2, $3, $4, $5 FROM chat
         RETURNING seq`,
        [m.chatId, m.role, m.content, JSON.stringify(m.metadata), m.createdAt],
      );
      if (!rows[0]) throw new Error(`chat '${m.chatId}' does not exist`);
      return rows[0].seq;
    },
    async setMessageMetadata(chatId, seq, metadata) {
      const result = await pool.query('UPDATE chat_messages SET metadata = $1 WHERE chat_id = $2 AND seq = $3', [
        JSON.stringify(metadata),
        chatId,
        seq,
      ]);
      return result.rowCount === 1;
    },
    async listMessages(chatId) {
      const { rows } = await pool.query('SELECT * FROM chat_messages WHERE chat_id = $1 ORDER BY seq', [chatId]);
      return rows.map(toChatMessage);
    },
  };
}
