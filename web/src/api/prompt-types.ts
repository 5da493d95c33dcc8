/** What the UI reads of the prompt-run and chat answers (F4.5, F4.6; /v1/openapi.json has the full shapes). */

export type VariableType = 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface PromptVariable {
  readonly type: VariableType;
  readonly description?: string;
  readonly default?: unknown;
}

export interface PromptSummary {
  readonly promptId: string;
  readonly latestVersion: number;
  readonly updatedAt: number;
}

export interface PromptVersion {
  readonly promptId: string;
  readonly version: number;
  readonly definition: {
    readonly name?: string;
    readonly description?: string;
    readonly model?: string;
    readonly variables?: Readonly<Record<string, PromptVariable>>;
    readonly system?: string;
    readonly message?: string;
  };
  readonly createdAt: number;
}

export interface Usage {
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly credits: number;
}

export interface PromptRun {
  readonly id: string;
  readonly promptId: string;
  readonly promptVersion: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly tasks: number;
  readonly totals: Usage;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type TaskStatus = 'streaming' | 'completed' | 'failed' | 'cancelled';

/** One message of a prompt run and its answer, with what it cost. */
export interface PromptTask extends Usage {
  readonly seq: number;
  readonly model: string;
  readonly message: string;
  readonly status: TaskStatus;
  readonly output?: string;
  readonly ttftMs?: number;
  readonly durationMs?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly startedAt: number;
}

export interface PromptRunDetail {
  readonly run: PromptRun;
  readonly tasks: readonly PromptTask[];
}

export interface Chat {
  readonly id: string;
  readonly title: string;
  readonly metadata: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ChatMessage {
  readonly seq: number;
  readonly role: 'user' | 'assistant' | 'system';
  readonly content: string;
  readonly metadata: unknown;
  readonly createdAt: number;
  readonly runs: readonly { readonly runId: string; readonly flowId: string; readonly status: string }[];
}
