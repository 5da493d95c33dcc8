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
  /** A swarm of the sampled workspace (a made-up id where a test has none). */
  readonly swarmId?: string;
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
    'POST /v1/runs/{runId}/nodes/{nodeId}/messages': { path: `${run}/nodes/${nodeId}/messages`, body: { text: 'hello' } },
    'GET /v1/runs/{runId}/events': { path: `${run}/events` },
    'GET /v1/runs/{runId}/events/follow': { path: `${run}/events/follow` },
    'POST /v1/runs/{runId}/follow-token': { path: `${run}/follow-token` },
    'GET /v1/runs/{runId}/state': { path: `${run}/state?at=1` },
    'POST /v1/runs/{runId}/fork': { path: `${run}/fork`, body: { at: 1 } },
    'POST /v1/keys': { path: '/v1/keys', body: { name: 'sample' } },
    'GET /v1/keys': { path: '/v1/keys' },
    'DELETE /v1/keys/{keyId}': { path: `/v1/keys/${keyId}` },
    ...swarmSamples(ids.swarmId ?? 'swarm_none'),
    // Prompt runs and chats: ids of another workspace answer 404 like ids of none.
    'POST /v1/prompts': { path: '/v1/prompts', body: { prompt: { format: 'runloom/prompt-v1', id: 'sample', message: 'hi' } } },
    'GET /v1/prompts': { path: '/v1/prompts' },
    'GET /v1/prompts/{promptId}': { path: '/v1/prompts/sample-prompt' },
    'PUT /v1/prompt-variables': { path: '/v1/prompt-variables', body: { scope: 'workspace', name: 'tone', value: 'warm' } },
    'GET /v1/prompt-variables': { path: '/v1/prompt-variables?scope=user&owner=ada' },
    'DELETE /v1/prompt-variables': { path: '/v1/prompt-variables?scope=workspace&name=sample_gone' },
    'POST /v1/prompt-runs': { path: '/v1/prompt-runs', body: { prompt: 'sample-prompt' } },
    'GET /v1/prompt-runs': { path: '/v1/prompt-runs' },
    'GET /v1/prompt-runs/{promptRunId}': { path: '/v1/prompt-runs/pr_sample' },
    'POST /v1/prompt-runs/{promptRunId}/values': { path: '/v1/prompt-runs/pr_sample/values', body: { values: {} } },
    'POST /v1/prompt-runs/{promptRunId}/messages': { path: '/v1/prompt-runs/pr_sample/messages', body: { text: 'hi' } },
    'POST /v1/chats': { path: '/v1/chats', body: { title: 'sample' } },
    'GET /v1/chats': { path: '/v1/chats' },
    'GET /v1/chats/{chatId}': { path: '/v1/chats/chat_sample' },
    'PUT /v1/chats/{chatId}/metadata': {
      path: '/v1/chats/chat_sample/metadata',
      body: { metadata: { __version: 2, references: [], settings: {} } },
    },
    'POST /v1/chats/{chatId}/messages': { path: '/v1/chats/chat_sample/messages', body: { content: 'hi' } },
    'PUT /v1/chats/{chatId}/messages/{seq}/metadata': {
      path: '/v1/chats/chat_sample/messages/1/metadata',
      body: { metadata: { __version: 1 } },
    },
    'POST /v1/chats/{chatId}/messages/{seq}/runs': { path: '/v1/chats/chat_sample/messages/1/runs', body: { flowId } },
    // Journeys: the flow id stands for a journey and a hook slug, the run id for an entity id.
    'GET /v1/journeys': { path: '/v1/journeys' },
    'GET /v1/journeys/{journeyId}': { path: `/v1/journeys/${flowId}` },
    'GET /v1/journeys/{journeyId}/mappings': { path: `/v1/journeys/${flowId}/mappings` },
    'PUT /v1/journeys/{journeyId}/mappings': { path: `/v1/journeys/${flowId}/mappings`, body: { mappings: [] } },
    'GET /v1/journeys/{journeyId}/board': { path: `/v1/journeys/${flowId}/board` },
    'GET /v1/journeys/{journeyId}/entities': { path: `/v1/journeys/${flowId}/entities?limit=10` },
    'POST /v1/journeys/{journeyId}/entities': { path: `/v1/journeys/${flowId}/entities`, body: { email: 'a@example.com' } },
    'GET /v1/entities/{entityId}': { path: `/v1/entities/${runId}` },
    'GET /v1/entities/{entityId}/timeline': { path: `/v1/entities/${runId}/timeline` },
    'POST /v1/entities/{entityId}/move': { path: `/v1/entities/${runId}/move`, body: { nodeId } },
    'POST /v1/entities/{entityId}/retry': { path: `/v1/entities/${runId}/retry`, body: {} },
    'PUT /v1/hooks/{slug}': { path: `/v1/hooks/${flowId}`, body: { journeyId: flowId } },
    'GET /v1/hooks': { path: '/v1/hooks' },
    'DELETE /v1/hooks/{slug}': { path: `/v1/hooks/${flowId}` },
    'POST /v1/hooks/{slug}': { path: `/v1/hooks/${flowId}`, body: { email: 'a@example.com' } },
    'POST /v1/hooks/{slug}/email': { path: `/v1/hooks/${flowId}/email`, body: { raw: 'From: a@example.com' } },
    // A well-formed token no step has: public, answered by the token alone (404 here).
    'POST /v1/webhook-callbacks/{runId}/{nodeId}/{token}': {
      path: `/v1/webhook-callbacks/${runId}/${nodeId}/${'A'.repeat(43)}`,
      body: { status: 'completed', output: { ok: true } },
    },
  };
  return samples[route];
}

function swarmSamples(swarmId: string): Record<string, Sample> {
  const swarm = `/v1/swarms/${swarmId}`;
  return {
    'POST /v1/swarms': { path: '/v1/swarms', body: { file: 'goal: sample\nbudget: 10\n' } },
    'GET /v1/swarms': { path: '/v1/swarms' },
    'GET /v1/swarms/{swarmId}': { path: swarm },
    'POST /v1/swarms/{swarmId}/patches': {
      path: `${swarm}/patches`,
      body: { ops: [{ op: 'append', path: 'blackboard.notes', value: 'x' }] },
    },
    'POST /v1/swarms/{swarmId}/rollback': { path: `${swarm}/rollback`, body: { version: 1 } },
    'POST /v1/swarms/{swarmId}/stop': { path: `${swarm}/stop`, body: {} },
    'GET /v1/swarms/{swarmId}/history': { path: `${swarm}/history` },
    'GET /v1/swarms/{swarmId}/audit': { path: `${swarm}/audit` },
    'POST /v1/swarms/{swarmId}/runs': { path: `${swarm}/runs`, body: { flowId: 'approval', input: {} } },
    'POST /v1/swarms/{swarmId}/agents': { path: `${swarm}/agents`, body: {} },
    'GET /v1/swarms/{swarmId}/changes/follow': { path: `${swarm}/changes/follow` },
  };
}

export const routeName = (config: { method: string; path: string }) => `${config.method.toUpperCase()} ${config.path}`;
