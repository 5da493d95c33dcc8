/** Entity routes (F6.2–F6.5): one entity, its timeline, manual moves and retries, in the key's workspace. */
import { createRoute } from '@hono/zod-openapi';
import { EntityIdParam, EntityView, MoveBody, RetryBody, TimelineView } from '../journey-schemas.js';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';

const entitiesOf = (c: ApiContext) => c.get('deps').runloom.entities.in(c.get('workspace'));

export const entityRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/entities/{entityId}',
      summary: 'An entity: where it stands, its attributes and metadata',
      tags: ['entities'],
      request: { params: EntityIdParam },
      responses: responses({ 200: json(EntityView, 'the entity') }, [404]),
    }),
    handler: async (c) => c.json(await entitiesOf(c).get(valid(c, 'param', EntityIdParam).entityId), 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/entities/{entityId}/timeline',
      summary: "An entity's journey events in order (arrivals, runs, moves, emails)",
      tags: ['entities'],
      request: { params: EntityIdParam },
      responses: responses({ 200: json(TimelineView, 'the timeline') }, [404]),
    }),
    async handler(c) {
      const events = await entitiesOf(c).timeline(valid(c, 'param', EntityIdParam).entityId);
      return c.json({ events: events.map(({ entityId: _, ...e }) => e) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/entities/{entityId}/move',
      summary: 'Move an entity to a ux node (a manual move; the mapped flow of that node starts)',
      tags: ['entities'],
      request: { params: EntityIdParam, body: body(MoveBody) },
      responses: responses({ 200: json(EntityView, 'moved') }, [404, 409]),
    }),
    async handler(c) {
      const { nodeId, by } = valid(c, 'json', MoveBody);
      return c.json(
        await entitiesOf(c).move(valid(c, 'param', EntityIdParam).entityId, nodeId, by ?? c.get('keyId') ?? 'api'),
        200,
      );
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/entities/{entityId}/retry',
      summary: "Start the flow of a failed entity's ux node again",
      tags: ['entities'],
      request: { params: EntityIdParam, body: body(RetryBody) },
      responses: responses({ 200: json(EntityView, 'retried') }, [404, 409]),
    }),
    async handler(c) {
      const { by } = valid(c, 'json', RetryBody);
      return c.json(await entitiesOf(c).retry(valid(c, 'param', EntityIdParam).entityId, by), 200);
    },
  }),
];
