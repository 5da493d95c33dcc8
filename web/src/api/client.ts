/**
 * The one way the UI talks to Runloom: the public HTTP API under /v1, JSON in and out, the same
 * Bearer keys as any client. An error answer becomes an `ApiError` carrying the API's own
 * message, which the views show as is (it names what and where).
 */
import type { RunStateAt, RunView } from './types';

const KEY_ITEM = 'runloom.key';

export const apiKey = {
  get: (): string => localStorage.getItem(KEY_ITEM) ?? '',
  set(key: string) {
    if (key) localStorage.setItem(KEY_ITEM, key);
    else localStorage.removeItem(KEY_ITEM);
  },
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const key = apiKey.get();
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'ERROR', error.message ?? `${response.status} ${response.statusText}`);
  }
  return body as T;
}

const post = <T>(path: string, body: unknown) => api<T>(path, { method: 'POST', body });
const runPath = (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`;

/** Run controls and answers; each resolves with the run after the change. */
export const runActions = {
  start: (flowId: string, version: number, input: unknown) => post<RunView>('/v1/runs', { flowId, version, input }),
  pause: (runId: string) => post<RunView>(`${runPath(runId)}/pause`, { by: 'ui' }),
  resume: (runId: string) => post<RunView>(`${runPath(runId)}/resume`, { by: 'ui' }),
  cancel: (runId: string) => post<RunView>(`${runPath(runId)}/cancel`, { by: 'ui' }),
  retry: (runId: string) => post<RunView>(`${runPath(runId)}/retry`, { by: 'ui' }),
  raiseLimits: (runId: string, limits: Record<string, number>) => post<RunView>(`${runPath(runId)}/limits`, { limits }),
  signal: (runId: string, name: string, payload: unknown) => post<RunView>(`${runPath(runId)}/signal`, { name, payload }),
  input: (runId: string, nodeId: string, data: unknown) =>
    post<RunView>(`${runPath(runId)}/nodes/${encodeURIComponent(nodeId)}/input`, { data }),
  decide: (runId: string, nodeId: string, to: string, reason: string) =>
    post<RunView>(`${runPath(runId)}/decide`, { nodeId, to, by: 'ui', ...(reason ? { reason } : {}) }),
  say: (runId: string, nodeId: string, text: string, end: boolean) =>
    post<RunView>(`${runPath(runId)}/nodes/${encodeURIComponent(nodeId)}/messages`, { text, by: 'ui', ...(end ? { end } : {}) }),
  fork: (runId: string, at: number) => post<RunView>(`${runPath(runId)}/fork`, { at }),
  stateAt: (runId: string, at?: number) => api<RunStateAt>(`${runPath(runId)}/state${at === undefined ? '' : `?at=${at}`}`),
};

export { runPath };
