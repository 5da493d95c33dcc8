/** Journey routes (F6): spines, mappings, the board and a journey's entities, in the key's workspace. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  BoardView,
  EntityPage,
  EntityQuery,
  EntityUpsert,
  EntityView,
  JourneyIdParam,
  JourneyView,
  MappingsBody,
  MappingsView,
} from '../journey-schemas.js';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';

const journeysOf = (c: ApiContext) => c.get('deps').runloom.journeys.in(c.get('workspace'));
const entitiesOf = (c: ApiContext) => c.get('deps').runloom.entities.in(c.get('workspace'));

export const journeyRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/journeys',
      summary: 'Journeys of this workspace that have mappings',
      tags: ['journeys'],
      responses: responses({ 200: json(z.object({ journeys: z.array(JourneyView) }), 'journeys') }),
    }),
    handler: async (c) => c.json({ journeys: await journeysOf(c).list() }, 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/journeys/{journeyId}',
      summary: "A journey: its spine's ux nodes and its mappings",
      tags: ['journeys'],
      request: { params: JourneyIdParam },
      responses: responses({ 200: json(JourneyView, 'the journey') }, [404]),
    }),
    handler: async (c) => c.json(await journeysOf(c).get(valid(c, 'param', JourneyIdParam).journeyId), 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/journeys/{journeyId}/mappings',
      summary: 'Which system flow runs when an entity arrives at each ux node',
      tags: ['journeys'],
      request: { params: JourneyIdParam },
      responses: responses({ 200: json(MappingsView, 'the mappings') }, [404]),
    }),
    handler: async (c) => c.json({ mappings: await journeysOf(c).mappings(valid(c, 'param', JourneyIdParam).journeyId) }, 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'put',
      path: '/v1/journeys/{journeyId}/mappings',
      summary: 'Replace the mappings (each node a ux node of the journey, each flow published here)',
      tags: ['journeys'],
      request: { params: JourneyIdParam, body: body(MappingsBody) },
      responses: responses({ 200: json(MappingsView, 'the mappings as stored') }, [404]),
    }),
    async handler(c) {
      const { journeyId } = valid(c, 'param', JourneyIdParam);
      const { mappings } = valid(c, 'json', MappingsBody);
      return c.json({ mappings: await journeysOf(c).setMappings(journeyId, mappings) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/journeys/{journeyId}/board',
      summary: 'Entities per ux node (active, failed) and completed: counters, not a scan',
      tags: ['journeys'],
      request: { params: JourneyIdParam },
      responses: responses({ 200: json(BoardView, 'the board') }, [404]),
    }),
    handler: async (c) => c.json(await journeysOf(c).board(valid(c, 'param', JourneyIdParam).journeyId), 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/journeys/{journeyId}/entities',
      summary: "A journey's entities, by node and status, a page at a time",
      tags: ['entities'],
      request: { params: JourneyIdParam, query: EntityQuery },
      responses: responses({ 200: json(EntityPage, 'a page of entities') }, [404]),
    }),
    handler: async (c) =>
      c.json(await entitiesOf(c).list(valid(c, 'param', JourneyIdParam).journeyId, valid(c, 'query', EntityQuery)), 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/journeys/{journeyId}/entities',
      summary: 'Create an entity, or update the one with the same email (placed at a ux node; its flow starts if mapped)',
      tags: ['entities'],
      request: { params: JourneyIdParam, body: body(EntityUpsert) },
      responses: responses({ 200: json(EntityView, 'updated'), 201: json(EntityView, 'created') }, [404, 409]),
    }),
    async handler(c) {
      const { journeyId } = valid(c, 'param', JourneyIdParam);
      const { created, ...entity } = await entitiesOf(c).upsert(journeyId, valid(c, 'json', EntityUpsert), 'api');
      return c.json(entity, created ? 201 : 200);
    },
  }),
];
