/** Row shapes both SQL stores share: how a run summary and a step row map to and from columns. */
import type { RunState, RunStatus } from '../engine/types.js';
import type { ErrorInfo } from '../errors.js';
import type { ApiKeyRow, RunSummary, StepRecordRow, StepRow, WebhookAnswer, WebhookCallRow } from './store.js';

/** `SELECT id, flow_id, flow_version, status, reason, parent_run_id, created_at, updated_at FROM runs`. */
export interface RunSummaryRow {
  readonly id: string;
  readonly flow_id: string;
  readonly flow_version: number;
  readonly status: RunStatus;
  readonly reason: string;
  readonly parent_run_id: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

export function toRunSummary(r: RunSummaryRow): RunSummary {
  return {
    id: r.id,
    flowId: r.flow_id,
    flowVersion: r.flow_version,
    status: r.status,
    reason: r.reason,
    ...(r.parent_run_id === null ? {} : { parentRunId: r.parent_run_id }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Whether a run needs a process, when the checkpoint does not say (Checkpoint.active): running
 * or queued.
 */
export const activeByStatus = (state: RunState): boolean => state.status === 'running' || state.status === 'queued';

/** JSON columns: `undefined` is stored as SQL NULL so it reads back absent (a JSON `null` stays `null`). */
export const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/**
 * The values of a step row in column order: run_id, seq, node_id, branch, attempt, item, status,
 * input, output, error, started_at, ended_at, JSON columns as text (absent → NULL).
 */
export function stepValues(runId: string, s: StepRow): unknown[] {
  return [
    runId,
    s.seq,
    s.nodeId,
    s.branch,
    s.attempt,
    s.item ?? null,
    s.status,
    toJson(s.input),
    toJson(s.output),
    toJson(s.error),
    s.startedAt,
    s.endedAt,
  ];
}

/** `SELECT seq, node_id, branch, attempt, item, status, …, started_at, ended_at FROM steps`. */
export interface StepColumns {
  readonly seq: number;
  readonly node_id: string;
  readonly branch: string;
  readonly attempt: number;
  readonly item: number | null;
  readonly status: StepRow['status'];
  readonly started_at: number;
  readonly ended_at: number;
}

/** A step row from its columns; each dialect decodes the JSON ones (`undefined`: SQL NULL, absent). */
export function toStepRecord(
  runId: string,
  r: StepColumns,
  json: { readonly input: unknown; readonly output: unknown; readonly error: ErrorInfo | undefined },
): StepRecordRow {
  return {
    runId,
    seq: r.seq,
    nodeId: r.node_id,
    branch: r.branch,
    attempt: r.attempt,
    ...(r.item === null ? {} : { item: r.item }),
    status: r.status,
    ...(json.input === undefined ? {} : { input: json.input }),
    ...(json.output === undefined ? {} : { output: json.output }),
    ...(json.error === undefined ? {} : { error: json.error }),
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

/**
 * Retention's choice over `runs r`, in SQL both stores speak (`before` is the placeholder of the
 * cut-off): ended before it, and a child run only once its parent has ended too or is gone, since
 * a live parent may still look its child up. `created_at <` lets the runs_created index bound the
 * scan to old runs (a run cannot end before it was created).
 */
export const endedBeforeSql = (before: string): string =>
  `r.created_at < ${before} AND r.updated_at < ${before} AND r.status IN ('completed', 'failed', 'cancelled')
   AND NOT EXISTS (SELECT 1 FROM runs p WHERE p.id = r.parent_run_id AND p.status NOT IN ('completed', 'failed', 'cancelled'))`;

/** Where a listing of ended runs starts when it has no cursor: before any run. */
export const FIRST_ENDED_CURSOR = { createdAt: Number.MIN_SAFE_INTEGER, id: '' } as const;

/** `SELECT * FROM api_keys` in both dialects. */
export interface KeyColumns {
  readonly id: string;
  readonly workspace: string;
  readonly name: string;
  readonly hash: string;
  readonly created_at: number;
  readonly revoked_at: number | null;
}

export const toApiKey = (r: KeyColumns): ApiKeyRow => ({
  id: r.id,
  workspace: r.workspace,
  name: r.name,
  hash: r.hash,
  createdAt: r.created_at,
  ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at }),
});

export interface WebhookCallColumns {
  readonly token_hash: string;
  readonly run_id: string;
  readonly node_id: string;
  readonly created_at: number;
  readonly delivered_at: number | null;
  readonly answered_at: number | null;
  readonly answer: string | null;
}

export const toWebhookCall = (r: WebhookCallColumns): WebhookCallRow => ({
  tokenHash: r.token_hash,
  runId: r.run_id,
  nodeId: r.node_id,
  createdAt: r.created_at,
  ...(r.delivered_at === null ? {} : { deliveredAt: r.delivered_at }),
  ...(r.answered_at === null ? {} : { answeredAt: r.answered_at }),
  ...(r.answer === null ? {} : { answer: JSON.parse(r.answer) as WebhookAnswer }),
});
