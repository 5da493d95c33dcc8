/** Row shapes both SQL stores share for prompt runs and chats: columns to records. */
import type {
  ChatMessageRow,
  ChatRow,
  PromptRunRecord,
  PromptTaskRecord,
  PromptVersionRecord,
  ScopedVariableRow,
  VariableScope,
} from './prompt-records.js';

export interface PromptVersionColumns {
  readonly workspace: string;
  readonly prompt_id: string;
  readonly version: number;
  readonly definition: string;
  readonly created_at: number;
}

export const toPromptVersion = (r: PromptVersionColumns): PromptVersionRecord => ({
  workspace: r.workspace,
  promptId: r.prompt_id,
  version: r.version,
  definition: JSON.parse(r.definition),
  createdAt: r.created_at,
});

export interface VariableColumns {
  readonly workspace: string;
  readonly scope: VariableScope;
  readonly owner: string;
  readonly name: string;
  readonly value: string;
  readonly updated_at: number;
}

export const toVariable = (r: VariableColumns): ScopedVariableRow => ({
  workspace: r.workspace,
  scope: r.scope,
  owner: r.owner,
  name: r.name,
  value: JSON.parse(r.value),
  updatedAt: r.updated_at,
});

export interface PromptRunColumns {
  readonly id: string;
  readonly workspace: string;
  readonly prompt_id: string;
  readonly prompt_version: number;
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly run_values: string;
  readonly tasks: number;
  readonly tokens_in: number;
  readonly tokens_out: number;
  readonly credits: number;
  readonly created_at: number;
  readonly updated_at: number;
}

export const toPromptRun = (r: PromptRunColumns): PromptRunRecord => ({
  id: r.id,
  workspace: r.workspace,
  promptId: r.prompt_id,
  promptVersion: r.prompt_version,
  ...(r.user_id === null ? {} : { user: r.user_id }),
  ...(r.project_id === null ? {} : { project: r.project_id }),
  values: JSON.parse(r.run_values),
  tasks: r.tasks,
  totals: { tokensIn: r.tokens_in, tokensOut: r.tokens_out, credits: r.credits },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface PromptTaskColumns {
  readonly run_id: string;
  readonly seq: number;
  readonly model: string;
  readonly message: string;
  readonly system: string | null;
  readonly variables: string;
  readonly status: PromptTaskRecord['status'];
  readonly output: string | null;
  readonly tokens_in: number;
  readonly tokens_out: number;
  readonly credits: number;
  readonly ttft_ms: number | null;
  readonly duration_ms: number | null;
  readonly error: string | null;
  readonly started_at: number;
  readonly ended_at: number | null;
}

export const toPromptTask = (r: PromptTaskColumns): PromptTaskRecord => {
  const optional = {
    system: r.system,
    output: r.output,
    ttftMs: r.ttft_ms,
    durationMs: r.duration_ms,
    error: r.error === null ? null : JSON.parse(r.error),
    endedAt: r.ended_at,
  };
  return {
    runId: r.run_id,
    seq: r.seq,
    model: r.model,
    message: r.message,
    variables: JSON.parse(r.variables),
    status: r.status,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    credits: r.credits,
    startedAt: r.started_at,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null && v !== undefined)),
  };
};

export interface ChatColumns {
  readonly id: string;
  readonly workspace: string;
  readonly title: string;
  readonly metadata: string;
  readonly created_at: number;
  readonly updated_at: number;
}

export const toChat = (r: ChatColumns): ChatRow => ({
  id: r.id,
  workspace: r.workspace,
  title: r.title,
  metadata: JSON.parse(r.metadata),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface ChatMessageColumns {
  readonly chat_id: string;
  readonly seq: number;
  readonly role: ChatMessageRow['role'];
  readonly content: string;
  readonly metadata: string;
  readonly created_at: number;
}

export const toChatMessage = (r: ChatMessageColumns): ChatMessageRow => ({
  chatId: r.chat_id,
  seq: r.seq,
  role: r.role,
  content: r.content,
  metadata: JSON.parse(r.metadata),
  createdAt: r.created_at,
});
