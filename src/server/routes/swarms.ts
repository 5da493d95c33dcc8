/**
 * Swarm routes (F5): start, list, read, patch (409 with the current version on a stale
 * `expectedVersion`), roll back, stop, history, audit, and the live changes as Server-Sent
 * Events. All workspace-scoped: a swarm of another workspace is a 404, like one that is not there.
 */
import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { SwarmChange as Change } from '../../swarm/changes.js';
import type { PatchOp } from '../../swarm/patch.js';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';
import { RunView } from '../schemas.js';
import {
  Swarm,
  SwarmAudit,
  SwarmFollowHeaders,
  SwarmFollowQuery,
  SwarmHistory,
  SwarmHistoryQuery,
  SwarmIdParam,
  SwarmList,
  SwarmPatch,
  SwarmRollback,
  SwarmRunStart,
  SwarmStart,
  SwarmStop,
} from '../swarm-schemas.js';

const swarmsOf = (c: ApiContext) => c.get('deps').runloom.swarms;
const scope = (c: ApiContext) => ({ workspace: c.get('workspace') });
const KEEPALIVE_MS = 15_000;

export const swarmRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/swarms',
      summary: 'Start a swarm from its swarm file',
      tags: ['swarms'],
      request: { body: body(SwarmStart) },
      responses: responses({ 201: json(Swarm, 'the swarm at version 1') }),
    }),
    async handler(c) {
      const { file, author } = valid(c, 'json', SwarmStart);
      return c.json(await swarmsOf(c).start(file, { ...scope(c), ...(author ? { author } : {}) }), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/swarms',
      summary: "This workspace's swarms, newest first",
      tags: ['swarms'],
      responses: responses({ 200: json(SwarmList, 'swarms') }),
    }),
    handler: async (c) => c.json({ swarms: await swarmsOf(c).list(scope(c)) }, 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/swarms/{swarmId}',
      summary: 'A swarm: its status, version and context',
      tags: ['swarms'],
      request: { params: SwarmIdParam },
      responses: responses({ 200: json(Swarm, 'the swarm') }, [404]),
    }),
    handler: async (c) => c.json(await swarmsOf(c).get(valid(c, 'param', SwarmIdParam).swarmId, scope(c)), 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/swarms/{swarmId}/patches',
      summary: "Patch a swarm's context: all operations or none",
      description: 'With `expectedVersion`, a swarm that moved on answers 409 with `details.currentVersion`.',
      tags: ['swarms'],
      request: { params: SwarmIdParam, body: body(SwarmPatch) },
      responses: responses({ 200: json(Swarm, 'the swarm at its new version') }, [404, 409]),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      const { ops, expectedVersion, author } = valid(c, 'json', SwarmPatch);
      const options = { ...scope(c), ...(author ? { author } : {}), ...(expectedVersion ? { expectedVersion } : {}) };
      return c.json(await swarmsOf(c).patch(swarmId, ops as PatchOp[], options), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/swarms/{swarmId}/rollback',
      summary: 'Roll a swarm back to a kept version (itself a new version)',
      tags: ['swarms'],
      request: { params: SwarmIdParam, body: body(SwarmRollback) },
      responses: responses({ 200: json(Swarm, 'the swarm at its new version') }, [404, 409]),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      const { version, author } = valid(c, 'json', SwarmRollback);
      return c.json(await swarmsOf(c).rollback(swarmId, version, { ...scope(c), ...(author ? { author } : {}) }), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/swarms/{swarmId}/stop',
      summary: 'Stop a swarm: it takes no more changes',
      tags: ['swarms'],
      request: { params: SwarmIdParam, body: body(SwarmStop) },
      responses: responses({ 200: json(Swarm, 'the stopped swarm') }, [404]),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      const { author } = valid(c, 'json', SwarmStop);
      return c.json(await swarmsOf(c).stop(swarmId, { ...scope(c), ...(author ? { author } : {}) }), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/swarms/{swarmId}/history',
      summary: 'The kept changes of a swarm, oldest first',
      tags: ['swarms'],
      request: { params: SwarmIdParam, query: SwarmHistoryQuery },
      responses: responses({ 200: json(SwarmHistory, 'changes') }, [404]),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      const { after } = valid(c, 'query', SwarmHistoryQuery);
      return c.json({ changes: await swarmsOf(c).history(swarmId, { ...scope(c), afterVersion: after ?? 0 }) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/swarms/{swarmId}/audit',
      summary: "Derive a swarm's balance from its ledger and check every account against it",
      tags: ['swarms'],
      request: { params: SwarmIdParam },
      responses: responses({ 200: json(SwarmAudit, 'the audit') }, [404]),
    }),
    handler: async (c) => c.json(await swarmsOf(c).audit(valid(c, 'param', SwarmIdParam).swarmId, scope(c)), 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/swarms/{swarmId}/runs',
      summary: "Start a run in a swarm: its credit limit follows the swarm's budget and policies live",
      tags: ['swarms'],
      request: { params: SwarmIdParam, body: body(SwarmRunStart) },
      responses: responses({ 201: json(RunView, 'the run') }, [404, 409]),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      const { flowId, input } = valid(c, 'json', SwarmRunStart);
      return c.json(await swarmsOf(c).startRun(swarmId, flowId, input ?? {}, scope(c)), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/swarms/{swarmId}/agents',
      summary:
        "Set the swarm's team to work: starts its coordinator run (agents take turns until the goal, budget or turn limit)",
      tags: ['swarms'],
      request: { params: SwarmIdParam },
      responses: responses({ 201: json(RunView, 'the coordinator run') }, [404, 409]),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      return c.json(await swarmsOf(c).startAgents(swarmId, scope(c)), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/swarms/{swarmId}/changes/follow',
      summary: "Follow a swarm's changes live (Server-Sent Events)",
      description:
        'Each `swarm-changes` event carries a batch; its `id:` is the last version in it. Reconnect with `Last-Event-ID` ' +
        '(or `?after=`) to go on with nothing missed and nothing twice.',
      tags: ['swarms'],
      request: { params: SwarmIdParam, query: SwarmFollowQuery, headers: SwarmFollowHeaders },
      responses: responses(
        { 200: { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        [404],
      ),
    }),
    async handler(c) {
      const { swarmId } = valid(c, 'param', SwarmIdParam);
      const { after, ...filter } = valid(c, 'query', SwarmFollowQuery);
      const lastEventId = valid(c, 'header', SwarmFollowHeaders)['Last-Event-ID'];
      const swarms = swarmsOf(c);
      const current = await swarms.get(swarmId, scope(c)); // 404 before the stream opens
      const fromVersion = lastEventId !== undefined ? Number(lastEventId) : (after ?? current.version);
      return streamSSE(c, async (stream) => {
        let writing = Promise.resolve();
        const send = (batch: Change[]) => {
          const id = String(batch.at(-1)?.version ?? fromVersion);
          writing = writing.then(() => stream.writeSSE({ id, event: 'swarm-changes', data: JSON.stringify(batch) }));
        };
        await stream.writeSSE({ event: 'open', data: JSON.stringify({ swarmId, after: fromVersion }), retry: 1000 });
        const subscription = await swarms.subscribe(
          swarmId,
          { ...scope(c), ...filter, fromVersion } as Parameters<typeof swarms.subscribe>[1],
          send,
        );
        const keepalive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => {}), KEEPALIVE_MS);
        await new Promise<void>((resolve) => stream.onAbort(resolve));
        clearInterval(keepalive);
        await subscription.close();
      });
    },
  }),
];
