/**
 * Time travel and fork (F7.4): a run's state as of an event of its log — where its tokens stand,
 * how often each node was entered, what each node's last step gave — folded again as replay does,
 * and a fork: a new run from that state. The UI draws its run graph from this one view, live
 * (no `at`) and in the past (`at`), so both show the same thing the same way.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { progressOf } from '../../engine/progress.js';
import type { RunState } from '../../engine/types.js';
import type { CompiledFlow } from '../../flow/compiled.js';
import { body, json, responses } from '../responses.js';
import { type ApiRoute, defineRoute, valid } from '../route-table.js';
import { RunIdParam, RunView } from '../schemas.js';
import { runIn } from '../scoped.js';

const StateQuery = z.strictObject({
  at: z.coerce.number().int().min(1).optional().openapi({ type: 'integer', description: 'an event seq (default: the last)' }),
});

const ForkBody = z.strictObject({ at: z.number().int().min(1) }).openapi('Fork');

const Json = z.unknown();
export const RunStateView = z
  .object({
    runId: z.string(),
    flowVersion: z.number().int(),
    /** The last event the state includes (a transition's events come together: may pass `at`). */
    eventSeq: z.number().int(),
    status: z.string(),
    reason: z.string(),
    vars: z.record(z.string(), Json),
    output: Json.optional(),
    error: z.object({ code: z.string(), message: z.string() }).passthrough().optional(),
    percent: z.number(),
    usage: z.object({ steps: z.number(), credits: z.number() }).passthrough(),
    tokens: z.array(
      z.object({
        id: z.number().int(),
        nodeId: z.string(),
        status: z.string(),
        branch: z.string(),
        attempt: z.number().int(),
        waitingFor: z.string().optional(),
        error: z.object({ code: z.string(), message: z.string() }).passthrough().optional(),
      }),
    ),
    visits: z.record(z.string(), z.number().int()),
    steps: z.record(z.string(), z.object({ status: z.string(), attempt: z.number(), at: z.number() }).passthrough()),
  })
  .openapi('RunStateAt');

function stateView(state: RunState, flow: CompiledFlow) {
  const visits: Record<string, number> = {};
  state.visits.forEach((count, node) => {
    if (count > 0) visits[flow.nodes[node].id] = count;
  });
  return {
    runId: state.meta.id,
    flowVersion: state.meta.flowVersion,
    eventSeq: state.eventSeq,
    status: state.status,
    reason: state.reason,
    vars: state.vars as Record<string, unknown>,
    output: state.output,
    error: state.error,
    percent: progressOf(state, flow).percent,
    usage: state.usage,
    tokens: state.tokens.map((token) => ({
      id: token.id,
      nodeId: flow.nodes[token.node].id,
      status: token.status,
      branch: token.branch,
      attempt: token.attempt,
      ...(token.waitingFor ? { waitingFor: token.waitingFor } : {}),
      ...(token.error ? { error: token.error } : {}),
    })),
    visits,
    steps: state.steps as Record<string, { status: string; attempt: number; at: number }>,
  };
}

export const timeTravelRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'get',
      path: '/v1/runs/{runId}/state',
      summary: "A run's state as of an event (time travel), folded from its log as replay does",
      tags: ['runs'],
      request: { params: RunIdParam, query: StateQuery },
      responses: responses({ 200: json(RunStateView, 'tokens, visits, vars and steps as of the event') }, [404]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      const { at } = valid(c, 'query', StateQuery);
      const current = await runIn(c, runId);
      const { runloom } = c.get('deps');
      const state = at === undefined ? current : await runloom.runs.stateAt(runId, at);
      const flow = await runloom.flows.compiled(state.meta.flowId, state.meta.flowVersion);
      return c.json(stateView(state, flow), 200);
    },
  }),
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'post',
      path: '/v1/runs/{runId}/fork',
      summary: 'Start a new run of the same flow version from the state as of an event; the rest runs again',
      tags: ['runs'],
      request: { params: RunIdParam, body: body(ForkBody) },
      responses: responses({ 201: json(RunView, 'the fork (its `forkOf` names the original and the event)') }, [404, 409]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      const { at } = valid(c, 'json', ForkBody);
      await runIn(c, runId);
      return c.json(await c.get('deps').runloom.runs.fork(runId, at), 201);
    },
  }),
];
