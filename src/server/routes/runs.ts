/** Run routes: start (idempotent by key), list, show, steps, and every control (F2.11). */
import { createHash } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { RunloomError } from '../../errors.js';
import { DEFAULT_WORKSPACE } from '../keys.js';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';
import {
  CallbackBody,
  ControlBody,
  callbackError,
  cursorOf,
  DecideBody,
  IdempotencyHeader,
  InputBody,
  LimitsBody,
  ListRunsQuery,
  MessageBody,
  NodeParam,
  RetryBody,
  RunIdParam,
  RunList,
  RunView,
  SignalBody,
  StartRun,
  StepList,
} from '../schemas.js';
import { runIn } from '../scoped.js';

/** A run id made from the workspace and the Idempotency-Key: the same key names the same run. */
const idempotentId = (workspace: string, key: string) =>
  `run_k${createHash('sha256').update(`${workspace}\u0000${key}`).digest('base64url').slice(0, 22)}`;

/**
 * Starts with the same key in flight in this process wait for the first (one run per key). The
 * promise settles once that request is answered, not when its start settles: a waiter woken by
 * a refused start would find the refused start still here and wait on it again, forever.
 */
const starting = new Map<string, Promise<unknown>>();

async function startRun(c: ApiContext): Promise<Response> {
  const { runloom } = c.get('deps');
  const workspace = c.get('workspace');
  const key = valid(c, 'header', IdempotencyHeader)['Idempotency-Key'];
  const placement = workspace === DEFAULT_WORKSPACE ? {} : { workspace };
  if (key === undefined) return c.json(await begin(c, placement), 201);
  const id = idempotentId(workspace, key);
  for (let pending = starting.get(id); pending; pending = starting.get(id)) await pending.catch(() => {});
  const existing = await runIn(c, id).catch(() => undefined);
  if (existing) return c.json(await runloom.runs.viewOf(existing), 200);
  const answer = startKeyed(c, { ...placement, id });
  starting.set(id, answer);
  try {
    return await answer;
  } finally {
    starting.delete(id);
  }
}

/** Starts the key's run (201), or answers with it (200) when another server created it first. */
async function startKeyed(c: ApiContext, placement: { id: string; workspace?: string }): Promise<Response> {
  try {
    return c.json(await begin(c, placement), 201);
  } catch (error) {
    if (!(error instanceof RunloomError && error.code === 'RUN_EXISTS')) throw error;
    return c.json(await c.get('deps').runloom.runs.viewOf(await runIn(c, placement.id)), 200);
  }
}

/** Starts the run the request's body asks for. */
function begin(c: ApiContext, placement: { id?: string; workspace?: string }) {
  const { runloom } = c.get('deps');
  const request = valid(c, 'json', StartRun);
  return runloom.runs.start({ flowId: request.flowId, version: request.version }, request.input, request.options, placement);
}

const control = (
  path: string,
  summary: string,
  schema: Parameters<typeof json>[0],
  act: (c: ApiContext, runId: string) => Promise<unknown>,
  params: typeof RunIdParam | typeof NodeParam = RunIdParam,
): ApiRoute =>
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'post',
      path,
      summary,
      tags: ['runs'],
      request: { params, body: body(schema) },
      responses: responses({ 200: json(RunView, 'the run after the change (durable)') }, [404, 409]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      await runIn(c, runId);
      return c.json(await act(c, runId), 200);
    },
  });

export const runRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/runs',
      summary: 'Start a run of the latest (or given) version of a flow',
      description: 'With `Idempotency-Key`, the same key returns the same run (200) instead of starting another (201).',
      tags: ['runs'],
      request: { headers: IdempotencyHeader, body: body(StartRun) },
      responses: responses(
        {
          201: json(RunView, 'started: its first checkpoint is durable'),
          200: json(RunView, 'the run this Idempotency-Key started'),
        },
        [404],
      ),
    }),
    handler: startRun,
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/runs',
      summary: 'List runs, newest first, filtered by status, flow, parent and creation time, a page at a time',
      tags: ['runs'],
      request: { query: ListRunsQuery },
      responses: responses({ 200: json(RunList, 'run summaries') }),
    }),
    async handler(c) {
      const query = valid(c, 'query', ListRunsQuery);
      const limit = query.limit ?? 100;
      const runs = await c.get('deps').runloom.runs.list({ ...query, limit, workspace: c.get('workspace') });
      const last = runs.at(-1);
      return c.json({ runs, ...(runs.length === limit && last ? { nextCursor: cursorOf(last) } : {}) }, 200);
    },
  }),
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'get',
      path: '/v1/runs/{runId}',
      summary: 'A run: status, output, usage, progress with a per-branch view, what it waits on',
      tags: ['runs'],
      request: { params: RunIdParam },
      responses: responses({ 200: json(RunView, 'the run') }, [404]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      return c.json(await c.get('deps').runloom.runs.viewOf(await runIn(c, runId)), 200);
    },
  }),
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'get',
      path: '/v1/runs/{runId}/steps',
      summary: "A run's finished steps with their inputs and outputs",
      tags: ['runs'],
      request: { params: RunIdParam },
      responses: responses({ 200: json(StepList, 'step rows, by seq') }, [404]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      await runIn(c, runId);
      return c.json({ steps: await c.get('deps').runloom.runs.steps(runId) }, 200);
    },
  }),
  control('/v1/runs/{runId}/pause', 'Pause a run', ControlBody, (c, id) =>
    c.get('deps').runloom.runs.pause(id, valid(c, 'json', ControlBody).by),
  ),
  control('/v1/runs/{runId}/resume', 'Resume a paused run', ControlBody, (c, id) =>
    c.get('deps').runloom.runs.resume(id, valid(c, 'json', ControlBody).by),
  ),
  control('/v1/runs/{runId}/cancel', 'Cancel a run', ControlBody, (c, id) =>
    c.get('deps').runloom.runs.cancel(id, valid(c, 'json', ControlBody).by),
  ),
  control('/v1/runs/{runId}/retry', 'Retry a failed step (the last failed one when no node is named)', RetryBody, (c, id) => {
    const { nodeId, by } = valid(c, 'json', RetryBody);
    return c.get('deps').runloom.runs.retry(id, nodeId, by);
  }),
  control('/v1/runs/{runId}/signal', 'Send a signal by name', SignalBody, (c, id) => {
    const { name, payload } = valid(c, 'json', SignalBody);
    return c.get('deps').runloom.runs.signal(id, name, payload);
  }),
  control('/v1/runs/{runId}/decide', 'Answer a manual decision: the edge to take', DecideBody, (c, id) => {
    const { nodeId, to, ...meta } = valid(c, 'json', DecideBody);
    return c.get('deps').runloom.runs.decide(id, nodeId, to, meta);
  }),
  control('/v1/runs/{runId}/limits', "Raise a run's limits (then resume it if it paused on one)", LimitsBody, (c, id) => {
    const { limits, onLimit } = valid(c, 'json', LimitsBody);
    return c.get('deps').runloom.runs.raiseLimits(id, limits, onLimit);
  }),
  control(
    '/v1/runs/{runId}/nodes/{nodeId}/input',
    "Human input to a wait node, validated by the node's schema",
    InputBody,
    (c, id) => {
      const { nodeId } = valid(c, 'param', NodeParam);
      return c.get('deps').runloom.runs.callback(id, nodeId, { status: 'completed', output: valid(c, 'json', InputBody).data });
    },
    NodeParam,
  ),
  control(
    '/v1/runs/{runId}/nodes/{nodeId}/callback',
    'Complete or fail a wait node from an outside system',
    CallbackBody,
    (c, id) => {
      const { nodeId } = valid(c, 'param', NodeParam);
      const result = valid(c, 'json', CallbackBody);
      if (result.status === 'completed') return c.get('deps').runloom.runs.callback(id, nodeId, result);
      return c.get('deps').runloom.runs.callback(id, nodeId, { status: 'failed', error: callbackError(result.error) });
    },
    NodeParam,
  ),
  control(
    '/v1/runs/{runId}/nodes/{nodeId}/messages',
    "A person's message to a conversation (an ai step waiting for one); `end: true` ends it",
    MessageBody,
    (c, id) => {
      const { nodeId } = valid(c, 'param', NodeParam);
      const { text, end, by } = valid(c, 'json', MessageBody);
      return c.get('deps').runloom.runs.say(id, nodeId, text, { ...(end ? { end } : {}), ...(by ? { by } : {}) });
    },
    NodeParam,
  ),
];
