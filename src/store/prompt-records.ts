/**
 * What the store keeps of prompt runs and chats (F4.5, F4.6), behind the `Store` seam as
 * `store.prompts` and `store.chats`. Every row carries its workspace. JSON values are kept as
 * written (SQL stores hold them as text), so a chat's metadata of a version this code does not
 * know reads back byte for byte.
 */

/** One immutable version of a prompt template (`runloom/prompt-v1`), like a flow version. */
export interface PromptVersionRecord {
  readonly workspace: string;
  readonly promptId: string;
  readonly version: number;
  readonly definition: Record<string, unknown>;
  readonly createdAt: number;
}

export interface PromptSummary {
  readonly promptId: string;
  readonly latestVersion: number;
  readonly updatedAt: number;
}

/** Where a stored variable applies: one user, the whole workspace, or one project. */
export type VariableScope = 'user' | 'workspace' | 'project';

/** A stored variable. `owner` is the user or project id; '' for the workspace scope. */
export interface ScopedVariableRow {
  readonly workspace: string;
  readonly scope: VariableScope;
  readonly owner: string;
  readonly name: string;
  readonly value: unknown;
  readonly updatedAt: number;
}

/** Tokens and credits: a task's own, or a run's sum of its tasks. */
export interface PromptUsage {
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly credits: number;
}

export interface PromptRunRow {
  readonly id: string;
  readonly workspace: string;
  readonly promptId: string;
  readonly promptVersion: number;
  /** Who runs it and in which project: the owners of the user and project variable scopes. */
  readonly user?: string;
  readonly project?: string;
  /** The values given to the run (they win over every stored scope). */
  readonly values: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A run with its totals, which always equal the sum of its ended tasks. */
export interface PromptRunRecord extends PromptRunRow {
  readonly tasks: number;
  readonly totals: PromptUsage;
}

export type PromptTaskStatus = 'streaming' | 'completed' | 'failed' | 'cancelled';

/** A message sent in a prompt run, as it starts (status `streaming`). */
export interface PromptTaskStart {
  readonly runId: string;
  readonly model: string;
  /** The user's message as sent (rendered), and the system prompt it went with. */
  readonly message: string;
  readonly system?: string;
  /** Every variable value the message was rendered with: what the user sees was sent. */
  readonly variables: Record<string, unknown>;
  readonly startedAt: number;
}

export interface PromptTaskEnd extends PromptUsage {
  readonly status: Exclude<PromptTaskStatus, 'streaming'>;
  readonly output: string;
  readonly ttftMs?: number;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly endedAt: number;
}

export interface PromptTaskRecord extends PromptTaskStart, PromptUsage {
  readonly seq: number;
  readonly status: PromptTaskStatus;
  readonly output?: string;
  readonly ttftMs?: number;
  readonly durationMs?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly endedAt?: number;
}

export interface PromptRecords {
  /** Creates the next immutable version (1, 2, …) of a workspace's prompt. */
  publish(workspace: string, promptId: string, definition: Record<string, unknown>, at: number): Promise<PromptVersionRecord>;
  /** A version, or the latest when `version` is undefined. */
  get(workspace: string, promptId: string, version?: number): Promise<PromptVersionRecord | undefined>;
  list(workspace: string): Promise<PromptSummary[]>;

  /** Sets (or replaces) a stored variable. */
  setVariable(row: ScopedVariableRow): Promise<void>;
  /** False when there was no such variable. */
  deleteVariable(workspace: string, scope: VariableScope, owner: string, name: string): Promise<boolean>;
  /** A scope's variables (one owner's), by name. */
  listVariables(workspace: string, scope: VariableScope, owner: string): Promise<ScopedVariableRow[]>;

  createRun(row: PromptRunRow): Promise<void>;
  /** Any workspace's run by id (ids are unique); the caller checks the workspace. */
  getRun(id: string): Promise<PromptRunRecord | undefined>;
  /** A workspace's runs, newest first. */
  listRuns(workspace: string, limit: number): Promise<PromptRunRecord[]>;
  /** Replaces the values given to a run: the next message uses them. False for an unknown run. */
  setRunValues(id: string, values: Record<string, unknown>, at: number): Promise<boolean>;
  /** Inserts a `streaming` task with the run's next seq; returns the seq. */
  startTask(task: PromptTaskStart): Promise<number>;
  /**
   * Ends a streaming task and adds its usage to its run's totals in ONE transaction, so the
   * totals always equal the sum of the tasks. False (nothing written) when the task is not
   * streaming any more: a task ends once.
   */
  finishTask(runId: string, seq: number, end: PromptTaskEnd): Promise<boolean>;
  listTasks(runId: string): Promise<PromptTaskRecord[]>;
}

export interface ChatRow {
  readonly id: string;
  readonly workspace: string;
  readonly title: string;
  /** Typed, versioned (`__version`) metadata as the chat room validated it. */
  readonly metadata: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ChatMessageRow {
  readonly chatId: string;
  readonly seq: number;
  readonly role: 'user' | 'assistant' | 'system';
  readonly content: string;
  readonly metadata: unknown;
  readonly createdAt: number;
}

export interface ChatRecords {
  create(row: ChatRow): Promise<void>;
  /** Any workspace's chat by id; the caller checks the workspace. */
  get(id: string): Promise<ChatRow | undefined>;
  /** A workspace's chats, most recently changed first. */
  list(workspace: string, limit: number): Promise<ChatRow[]>;
  /** False for an unknown chat. */
  setMetadata(id: string, metadata: unknown, at: number): Promise<boolean>;
  /** Appends a message with the chat's next seq (and touches the chat); returns the seq. */
  addMessage(message: Omit<ChatMessageRow, 'seq'>): Promise<number>;
  /** False for an unknown message. */
  setMessageMetadata(chatId: string, seq: number, metadata: unknown): Promise<boolean>;
  listMessages(chatId: string): Promise<ChatMessageRow[]>;
}
