/** `prompts` and `chats` on SQLite (migration 007): each write that touches two rows is one transaction. */
import type { ChatRecords, PromptRecords, PromptTaskEnd, PromptTaskStart } from '../prompt-records.js';
import {
  type ChatColumns,
  type ChatMessageColumns,
  type PromptRunColumns,
  type PromptTaskColumns,
  type PromptVersionColumns,
  toChat,
  toChatMessage,
  toPromptRun,
  toPromptTask,
  toPromptVersion,
  toVariable,
  type VariableColumns,
} from '../prompt-rows.js';
import { toJson } from '../rows.js';
import type { SqliteDatabase } from './open-database.js';

export function preparePrompts(db: SqliteDatabase): PromptRecords {
  const latest = db.prepare<[string, string], PromptVersionColumns>(
    'SELECT * FROM prompt_versions WHERE workspace = ? AND prompt_id = ? ORDER BY version DESC LIMIT 1',
  );
  const version = db.prepare<[string, string, number], PromptVersionColumns>(
    'SELECT * FROM prompt_versions WHERE workspace = ? AND prompt_id = ? AND version = ?',
  );
  const insertVersion = db.prepare(
    'INSERT INTO prompt_versions (workspace, prompt_id, version, definition, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const list = db.prepare<[string], { prompt_id: string; latest: number; updated_at: number }>(
    `SELECT prompt_id, MAX(version) AS latest, MAX(created_at) AS updated_at FROM prompt_versions
     WHERE workspace = ? GROUP BY prompt_id ORDER BY prompt_id`,
  );
  const publish = db.transaction((workspace: string, promptId: string, definition: string, at: number) => {
    const next = (latest.get(workspace, promptId)?.version ?? 0) + 1;
    insertVersion.run(workspace, promptId, next, definition, at);
    return next;
  });
  const setVariable = db.prepare(
    `INSERT INTO prompt_variables (workspace, scope, owner, name, value, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace, scope, owner, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const deleteVariable = db.prepare('DELETE FROM prompt_variables WHERE workspace = ? AND scope = ? AND owner = ? AND name = ?');
  const listVariables = db.prepare<[string, string, string], VariableColumns>(
    'SELECT * FROM prompt_variables WHERE workspace = ? AND scope = ? AND owner = ? ORDER BY name',
  );
  const insertRun = db.prepare(
    `INSERT INTO prompt_runs (id, workspace, prompt_id, prompt_version, user_id, project_id, run_values, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getRun = db.prepare<[string], PromptRunColumns>('SELECT * FROM prompt_runs WHERE id = ?');
  const listRuns = db.prepare<[string, number], PromptRunColumns>(
    'SELECT * FROM prompt_runs WHERE workspace = ? ORDER BY created_at DESC, id DESC LIMIT ?',
  );
  const setValues = db.prepare('UPDATE prompt_runs SET run_values = ?, updated_at = ? WHERE id = ?');
  const bumpTasks = db.prepare<[number, string], { tasks: number }>(
    'UPDATE prompt_runs SET tasks = tasks + 1, updated_at = ? WHERE id = ? RETURNING tasks',
  );
  const insertTask = db.prepare(
    `INSERT INTO prompt_tasks (run_id, seq, model, message, system, variables, status, started_at)
     VALUES (?, ?, ?, ?, ?, ?, 'streaming', ?)`,
  );
  const startTask = db.transaction((t: PromptTaskStart) => {
    const bumped = bumpTasks.get(t.startedAt, t.runId);
    if (!bumped) throw new Error(`prompt run '${t.runId}' does not exist`);
    insertTask.run(t.runId, bumped.tasks, t.model, t.message, t.system ?? null, JSON.stringify(t.variables), t.startedAt);
    return bumped.tasks;
  });
  const endTask = db.prepare(
    `UPDATE prompt_tasks SET status = ?, output = ?, tokens_in = ?, tokens_out = ?, credits = ?, ttft_ms = ?,
       duration_ms = ?, error = ?, ended_at = ? WHERE run_id = ? AND seq = ? AND status = 'streaming'`,
  );
  const addTotals = db.prepare(
    `UPDATE prompt_runs SET tokens_in = tokens_in + ?, tokens_out = tokens_out + ?, credits = credits + ?, updated_at = ?
     WHERE id = ?`,
  );
  const finishTask = db.transaction((runId: string, seq: number, e: PromptTaskEnd) => {
    const ended = endTask.run(
      e.status,
      e.output,
      e.tokensIn,
      e.tokensOut,
      e.credits,
      e.ttftMs ?? null,
      e.durationMs,
      toJson(e.error),
      e.endedAt,
      runId,
      seq,
    );
    if (ended.changes !== 1) return false;
    addTotals.run(e.tokensIn, e.tokensOut, e.credits, e.endedAt, runId);
    return true;
  });
  const listTasks = db.prepare<[string], PromptTaskColumns>('SELECT * FROM prompt_tasks WHERE run_id = ? ORDER BY seq');
  return {
    async publish(workspace, promptId, definition, at) {
      const text = JSON.stringify(definition);
      const next = publish.immediate(workspace, promptId, text, at);
      return { workspace, promptId, version: next, definition: JSON.parse(text), createdAt: at };
    },
    async get(workspace, promptId, v) {
      const row = v === undefined ? latest.get(workspace, promptId) : version.get(workspace, promptId, v);
      return row && toPromptVersion(row);
    },
    async list(workspace) {
      return list.all(workspace).map((r) => ({ promptId: r.prompt_id, latestVersion: r.latest, updatedAt: r.updated_at }));
    },
    async setVariable(r) {
      setVariable.run(r.workspace, r.scope, r.owner, r.name, JSON.stringify(r.value), r.updatedAt);
    },
    async deleteVariable(workspace, scope, owner, name) {
      return deleteVariable.run(workspace, scope, owner, name).changes === 1;
    },
    async listVariables(workspace, scope, owner) {
      return listVariables.all(workspace, scope, owner).map(toVariable);
    },
    async createRun(r) {
      const values = JSON.stringify(r.values);
      insertRun.run(
        r.id,
        r.workspace,
        r.promptId,
        r.promptVersion,
        r.user ?? null,
        r.project ?? null,
        values,
        r.createdAt,
        r.updatedAt,
      );
    },
    async getRun(id) {
      const row = getRun.get(id);
      return row && toPromptRun(row);
    },
    async listRuns(workspace, limit) {
      return listRuns.all(workspace, limit).map(toPromptRun);
    },
    async setRunValues(id, values, at) {
      return setValues.run(JSON.stringify(values), at, id).changes === 1;
    },
    async startTask(task) {
      return startTask.immediate(task);
    },
    async finishTask(runId, seq, end) {
      return finishTask.immediate(runId, seq, end);
    },
    async listTasks(runId) {
      return listTasks.all(runId).map(toPromptTask);
    },
  };
}

export function prepareChats(db: SqliteDatabase): ChatRecords {
  const insert = db.prepare(
    'INSERT INTO chats (id, workspace, title, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const get = db.prepare<[string], ChatColumns>('SELECT * FROM chats WHERE id = ?');
  const list = db.prepare<[string, number], ChatColumns>(
    'SELECT * FROM chats WHERE workspace = ? ORDER BY updated_at DESC, id DESC LIMIT ?',
  );
  const setMetadata = db.prepare('UPDATE chats SET metadata = ?, updated_at = ? WHERE id = ?');
  const touch = db.prepare('UPDATE chats SET updated_at = ? WHERE id = ?');
  const nextSeq = db.prepare<[string], { next: number }>(
    'SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM chat_messages WHERE chat_id = ?',
  );
  const insertMessage = db.prepare(
    'INSERT INTO chat_messages (chat_id, seq, role, content, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const addMessage = db.transaction((m: Parameters<ChatRecords['addMessage']>[0]) => {
    if (touch.run(m.createdAt, m.chatId).changes !== 1) throw new Error(`chat '${m.chatId}' does not exist`);
    const seq = (nextSeq.get(m.chatId) as { next: number }).next;
    insertMessage.run(m.chatId, seq, m.role, m.content, JSON.stringify(m.metadata), m.createdAt);
    return seq;
  });
  const setMessageMetadata = db.prepare('UPDATE chat_messages SET metadata = ? WHERE chat_id = ? AND seq = ?');
  const listMessages = db.prepare<[string], ChatMessageColumns>('SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY seq');
  return {
    async create(r) {
      insert.run(r.id, r.workspace, r.title, JSON.stringify(r.metadata), r.createdAt, r.updatedAt);
    },
    async get(id) {
      const row = get.get(id);
      return row && toChat(row);
    },
    async list(workspace, limit) {
      return list.all(workspace, limit).map(toChat);
    },
    async setMetadata(id, metadata, at) {
      return setMetadata.run(JSON.stringify(metadata), at, id).changes === 1;
    },
    async addMessage(message) {
      return addMessage.immediate(message);
    },
    async setMessageMetadata(chatId, seq, metadata) {
      return setMessageMetadata.run(JSON.stringify(metadata), chatId, seq).changes === 1;
    },
    async listMessages(chatId) {
      return listMessages.all(chatId).map(toChatMessage);
    },
  };
}
