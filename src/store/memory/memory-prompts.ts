/** Prompt runs and chats in memory (the memory store's `prompts` and `chats`). */
import type {
  ChatMessageRow,
  ChatRecords,
  ChatRow,
  PromptRecords,
  PromptRunRecord,
  PromptTaskRecord,
  PromptVersionRecord,
  ScopedVariableRow,
} from '../prompt-records.js';

const copy = <T>(value: T): T => structuredClone(value);

export function createMemoryPrompts(): PromptRecords {
  const versions = new Map<string, PromptVersionRecord[]>();
  const variables = new Map<string, ScopedVariableRow>();
  const runs = new Map<string, PromptRunRecord>();
  const tasks = new Map<string, PromptTaskRecord[]>();
  const promptKey = (workspace: string, promptId: string) => `${workspace}\u0000${promptId}`;
  const variableKey = (r: Pick<ScopedVariableRow, 'workspace' | 'scope' | 'owner' | 'name'>) =>
    [r.workspace, r.scope, r.owner, r.name].join('\u0000');
  return {
    async publish(workspace, promptId, definition, at) {
      const key = promptKey(workspace, promptId);
      const list = versions.get(key) ?? [];
      const record = { workspace, promptId, version: list.length + 1, definition: copy(definition), createdAt: at };
      versions.set(key, [...list, record]);
      return copy(record);
    },
    async get(workspace, promptId, version) {
      const list = versions.get(promptKey(workspace, promptId)) ?? [];
      const found = version === undefined ? list.at(-1) : list[version - 1];
      return found && copy(found);
    },
    async list(workspace) {
      return [...versions.values()]
        .filter((list) => list[0].workspace === workspace)
        .map((list) => ({
          promptId: list[0].promptId,
          latestVersion: list.length,
          updatedAt: (list.at(-1) as PromptVersionRecord).createdAt,
        }))
        .sort((a, b) => (a.promptId < b.promptId ? -1 : 1));
    },
    async setVariable(row) {
      variables.set(variableKey(row), copy(row));
    },
    async deleteVariable(workspace, scope, owner, name) {
      return variables.delete(variableKey({ workspace, scope, owner, name }));
    },
    async listVariables(workspace, scope, owner) {
      return [...variables.values()]
        .filter((v) => v.workspace === workspace && v.scope === scope && v.owner === owner)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map(copy);
    },
    async createRun(row) {
      if (runs.has(row.id)) throw new Error(`prompt run '${row.id}' exists`);
      runs.set(row.id, { ...copy(row), tasks: 0, totals: { tokensIn: 0, tokensOut: 0, credits: 0 } });
      tasks.set(row.id, []);
    },
    async getRun(id) {
      const run = runs.get(id);
      return run && copy(run);
    },
    async listRuns(workspace, limit) {
      return [...runs.values()]
        .filter((r) => r.workspace === workspace)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .slice(0, limit)
        .map(copy);
    },
    async setRunValues(id, values, at) {
      const run = runs.get(id);
      if (!run) return false;
      runs.set(id, { ...run, values: copy(values), updatedAt: at });
      return true;
    },
    async startTask(task) {
      const run = runs.get(task.runId);
      const list = tasks.get(task.runId);
      if (!run || !list) throw new Error(`prompt run '${task.runId}' does not exist`);
      const seq = run.tasks + 1;
      list.push({ ...copy(task), seq, status: 'streaming', tokensIn: 0, tokensOut: 0, credits: 0 });
      runs.set(run.id, { ...run, tasks: seq, updatedAt: task.startedAt });
      return seq;
    },
    async finishTask(runId, seq, end) {
      const list = tasks.get(runId);
      const run = runs.get(runId);
      const i = list?.findIndex((t) => t.seq === seq) ?? -1;
      if (!list || !run || i < 0 || list[i].status !== 'streaming') return false;
      list[i] = { ...list[i], ...copy(end) };
      const totals = {
        tokensIn: run.totals.tokensIn + end.tokensIn,
        tokensOut: run.totals.tokensOut + end.tokensOut,
        credits: run.totals.credits + end.credits,
      };
      runs.set(runId, { ...run, totals, updatedAt: end.endedAt });
      return true;
    },
    async listTasks(runId) {
      return (tasks.get(runId) ?? []).map(copy);
    },
  };
}

export function createMemoryChats(): ChatRecords {
  const chats = new Map<string, ChatRow>();
  const messages = new Map<string, ChatMessageRow[]>();
  return {
    async create(row) {
      if (chats.has(row.id)) throw new Error(`chat '${row.id}' exists`);
      chats.set(row.id, copy(row));
      messages.set(row.id, []);
    },
    async get(id) {
      const chat = chats.get(id);
      return chat && copy(chat);
    },
    async list(workspace, limit) {
      return [...chats.values()]
        .filter((c) => c.workspace === workspace)
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1))
        .slice(0, limit)
        .map(copy);
    },
    async setMetadata(id, metadata, at) {
      const chat = chats.get(id);
      if (!chat) return false;
      chats.set(id, { ...chat, metadata: copy(metadata), updatedAt: at });
      return true;
    },
    async addMessage(message) {
      const chat = chats.get(message.chatId);
      const list = messages.get(message.chatId);
      if (!chat || !list) throw new Error(`chat '${message.chatId}' does not exist`);
      const seq = list.length + 1;
      list.push({ ...copy(message), seq });
      chats.set(chat.id, { ...chat, updatedAt: message.createdAt });
      return seq;
    },
    async setMessageMetadata(chatId, seq, metadata) {
      const list = messages.get(chatId);
      const i = list?.findIndex((m) => m.seq === seq) ?? -1;
      if (!list || i < 0) return false;
      list[i] = { ...list[i], metadata: copy(metadata) };
      return true;
    },
    async listMessages(chatId) {
      return (messages.get(chatId) ?? []).map(copy);
    },
  };
}
