/**
 * A valid request for every route of the table, keyed by `METHOD path`: the isolation and
 * OpenAPI tests send them. A route added without a sample here fails those tests, so every
 * route gets tried against another workspace's data.
 */
export interface SampleIds {
  readonly runId: string;
  readonly flowId: string;
  readonly version: number;
  readonly nodeId: string;
  readonly keyId: string;
}

export interface Sample {
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export function sampleFor(route: string, ids: SampleIds): Sample | undefined {
  const { runId, flowId, version, nodeId, keyId } = ids;
  const run = `/v1/runs/${runId}`;
  const samples: Record<string, Sample> = {
    'GET /healthz': { path: '/healthz' },
    'GET /readyz': { path: '/readyz' },
    'GET /metrics': { path: '/metrics' },
    'POST /v1/flows/validate': { path: '/v1/flows/validate', body: { flow: { format: 'runloom/v1', id: flowId } } },
    'POST /v1/flows': { path: '/v1/flows', body: { flows: [{ flow: { format: 'runloom/v1', id: flowId } }] } },
    'GET /v1/flows': { path: '/v1/flows' },
    'GET /v1/flows/{flowId}': { path: `/v1/flows/${flowId}` },
    'GET /v1/flows/{flowId}/versions/{version}': { path: `/v1/flows/${flowId}/versions/${version}` },
    'GET /v1/flows/{flowId}/draft': { path: `/v1/flows/${flowId}/draft` },
    'POST /v1/flows/drafts': { path: '/v1/flows/drafts', body: { flow: { id: flowId } } },
    'POST /v1/runs': { path: '/v1/runs', body: { flowId, input: {} } },
    'GET /v1/runs': { path: '/v1/runs' },
    // 1ms: every ended run, so that an unscoped export or prune would show or delete the other workspace's.
    'GET /v1/runs/export': { path: '/v1/runs/export?before=1ms' },
    'POST /v1/runs/prune': { path: '/v1/runs/prune', body: { before: '1ms' } },
    'GET /v1/runs/{runId}': { path: run },
    'GET /v1/runs/{runId}/steps': { path: `${run}/steps` },
    'POST /v1/runs/{runId}/pause': { path: `${run}/pause`, body: {} },
    'POST /v1/runs/{runId}/resume': { path: `${run}/resume`, body: {} },
    'POST /v1/runs/{runId}/cancel': { path: `${run}/cancel`, body: {} },
    'POST /v1/runs/{runId}/retry': { path: `${run}/retry`, body: {} },
    'POST /v1/runs/{runId}/signal': { path: `${run}/signal`, body: { name: 'approval', payload: { approved: true } } },
    'POST /v1/runs/{runId}/decide': { path: `${run}/decide`, body: { nodeId, to: 'done' } },
    'POST /v1/runs/{runId}/limits': { path: `${run}/limits`, body: { limits: { maxSteps: 10_000 } } },
    'POST /v1/runs/{runId}/nodes/{nodeId}/input': { path: `${run}/nodes/${nodeId}/input`, body: { data: { ok: true } } },
    'POST /v1/runs/{runId}/nodes/{nodeId}/callback': {
      path: `${run}/nodes/${nodeId}/callback`,
      body: { status: 'completed', output: { ok: true } },
    },
    'GET /v1/runs/{runId}/events': { path: `${run}/events` },
    'GET /v1/runs/{runId}/events/follow': { path: `${run}/events/follow` },
    'POST /v1/runs/{runId}/follow-token': { path: `${run}/follow-token` },
    'GET /v1/runs/{runId}/state': { path: `${run}/state?at=1` },
    'POST /v1/runs/{runId}/fork': { path: `${run}/fork`, body: { at: 1 } },
    'POST /v1/keys': { path: '/v1/keys', body: { name: 'sample' } },
    'GET /v1/keys': { path: '/v1/keys' },
    'DELETE /v1/keys/{keyId}': { path: `/v1/keys/${keyId}` },
    // A well-formed token no step has: public, answered by the token alone (404 here).
    'POST /v1/webhook-callbacks/{runId}/{nodeId}/{token}': {
      path: `/v1/webhook-callbacks/${runId}/${nodeId}/${'A'.repeat(43)}`,
      body: { status: 'completed', output: { ok: true } },
    },
  };
  return samples[route];
}

export const routeName = (config: { method: string; path: string }) => `${config.method.toUpperCase()} ${config.path}`;
