/** What the UI reads of the API's answers (see /v1/openapi.json for the full shapes). */
export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

export interface FlowSummary {
  readonly flowId: string;
  readonly name?: string;
  readonly latestVersion?: number;
  readonly hasDraft: boolean;
  readonly updatedAt: number;
}

export interface FlowNode {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  readonly signal?: string;
  readonly schema?: JsonSchema;
  readonly prompt?: string;
  readonly [key: string]: unknown;
}

export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  readonly when?: string;
  readonly default?: boolean;
}

export interface FlowDefinition {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly inputs?: JsonSchema;
  readonly nodes?: readonly FlowNode[];
  readonly edges?: readonly FlowEdge[];
}

export interface FlowVersion {
  readonly flowId: string;
  readonly version: number;
  readonly definition: FlowDefinition;
  readonly createdAt: number;
}

export interface FlowProblem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
}

export type RunStatus = 'queued' | 'running' | 'waiting' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface WaitingOn {
  readonly nodeId: string;
  readonly waitingFor: string;
  readonly signal?: string;
  readonly options?: readonly string[];
  /** A conversation waiting for the person's message: what the model said last. */
  readonly said?: string;
}

export interface RunView {
  readonly id: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly status: RunStatus;
  readonly reason: string;
  readonly input: unknown;
  readonly vars: Record<string, unknown>;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly usage: { readonly steps: number; readonly credits: number; readonly activeMs?: number };
  readonly limits: Record<string, unknown>;
  readonly parentRunId?: string;
  readonly forkOf?: { readonly runId: string; readonly seq: number };
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly progress: { readonly percent: number };
  readonly waitingOn: readonly WaitingOn[];
}

export interface RunSummary {
  readonly id: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly status: RunStatus;
  readonly reason: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RunEvent {
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  readonly nodeId?: string;
  readonly token?: number;
  readonly data?: Record<string, unknown>;
}

export interface TokenAt {
  readonly id: number;
  readonly nodeId: string;
  readonly status: string;
  readonly branch: string;
  readonly attempt: number;
  readonly waitingFor?: string;
  readonly error?: ErrorInfo;
}

/** GET /v1/runs/:id/state[?at=N]: the run as of an event, folded from its log. */
export interface RunStateAt {
  readonly runId: string;
  readonly eventSeq: number;
  readonly status: RunStatus;
  readonly reason: string;
  readonly vars: Record<string, unknown>;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly percent: number;
  readonly usage: { readonly steps: number; readonly credits: number };
  readonly tokens: readonly TokenAt[];
  readonly visits: Readonly<Record<string, number>>;
  readonly steps: Readonly<Record<string, { status: string; attempt: number; error?: ErrorInfo }>>;
}
