/** Flow routes: validate without saving, publish (one or several at once), list, show, versions, drafts. */
import { createRoute, z } from '@hono/zod-openapi';
import { body, json, responses } from '../responses.js';
import { type ApiRoute, defineRoute, valid } from '../route-table.js';
import {
  Draft,
  FlowIdParam,
  FlowSource,
  FlowSources,
  FlowSummary,
  FlowVersion,
  FlowVersionParam,
  Validation,
} from '../schemas.js';
import { flowIn, flowsOf } from '../scoped.js';

export const flowRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/flows/validate',
      summary: 'Validate a flow file without saving it',
      tags: ['flows'],
      request: { body: body(FlowSource) },
      responses: responses({ 200: json(Validation, 'every problem, each with a path and a code') }),
    }),
    async handler(c) {
      const { flow, sourceName } = valid(c, 'json', FlowSource);
      const problems = flowsOf(c).validate(flow, sourceName);
      return c.json({ valid: problems.length === 0, problems }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/flows',
      summary: 'Publish flows (the next immutable version of each); all are validated before any is stored',
      tags: ['flows'],
      request: { body: body(FlowSources) },
      responses: responses({ 201: json(z.object({ flows: z.array(FlowVersion) }), 'the published versions') }, [422]),
    }),
    async handler(c) {
      const { flows } = valid(c, 'json', FlowSources);
      return c.json(
        { flows: await flowsOf(c).publishAll(flows.map((f) => ({ source: f.flow, sourceName: f.sourceName }))) },
        201,
      );
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/flows',
      summary: 'List flows',
      tags: ['flows'],
      responses: responses({ 200: json(z.object({ flows: z.array(FlowSummary) }), 'flow summaries') }),
    }),
    async handler(c) {
      return c.json({ flows: await flowsOf(c).list() }, 200);
    },
  }),
  defineRoute({
    scope: 'flow',
    config: createRoute({
      method: 'get',
      path: '/v1/flows/{flowId}',
      summary: 'The latest published version of a flow',
      tags: ['flows'],
      request: { params: FlowIdParam },
      responses: responses({ 200: json(FlowVersion, 'the latest version') }, [404]),
    }),
    async handler(c) {
      const { flowId } = valid(c, 'param', FlowIdParam);
      return c.json(await flowIn(c, flowId), 200);
    },
  }),
  defineRoute({
    scope: 'flow',
    config: createRoute({
      method: 'get',
      path: '/v1/flows/{flowId}/versions/{version}',
      summary: 'One published version of a flow',
      tags: ['flows'],
      request: { params: FlowVersionParam },
      responses: responses({ 200: json(FlowVersion, 'the version') }, [404]),
    }),
    async handler(c) {
      const { flowId, version } = valid(c, 'param', FlowVersionParam);
      return c.json(await flowIn(c, flowId, version), 200);
    },
  }),
  defineRoute({
    scope: 'flow',
    config: createRoute({
      method: 'get',
      path: '/v1/flows/{flowId}/draft',
      summary: "A flow's editable draft",
      tags: ['flows'],
      request: { params: FlowIdParam },
      responses: responses({ 200: json(Draft, 'the draft') }, [404]),
    }),
    async handler(c) {
      const { flowId } = valid(c, 'param', FlowIdParam);
      return c.json({ flowId, definition: await flowsOf(c).draft(flowId) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/flows/drafts',
      summary: "Save a flow's editable draft under its id (validated only when published)",
      tags: ['flows'],
      request: { body: body(FlowSource) },
      responses: responses({ 200: json(Draft, 'the saved draft') }, [422]),
    }),
    async handler(c) {
      const { flow, sourceName } = valid(c, 'json', FlowSource);
      const definition = await flowsOf(c).saveDraft(flow, sourceName);
      return c.json({ flowId: String(definition.id), definition }, 200);
    },
  }),
];
