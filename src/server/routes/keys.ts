/** Key routes: a workspace's keys, managed with a key of that workspace (the CLI does it offline). */
import { createRoute, z } from '@hono/zod-openapi';
import { body, json, responses } from '../responses.js';
import { type ApiRoute, defineRoute, valid } from '../route-table.js';
import { KeyCreate, KeyCreated, KeyIdParam, KeyInfo } from '../schemas.js';

export const keyRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/keys',
      summary: 'Create an API key in this workspace (its secret is shown once, here)',
      tags: ['keys'],
      request: { body: body(KeyCreate) },
      responses: responses({ 201: json(KeyCreated, 'the key with its secret') }),
    }),
    async handler(c) {
      const { name } = valid(c, 'json', KeyCreate);
      return c.json(await c.get('deps').keys.create(c.get('workspace'), name), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/keys',
      summary: "This workspace's keys (never their secrets)",
      tags: ['keys'],
      responses: responses({ 200: json(z.object({ keys: z.array(KeyInfo) }), 'keys, revoked ones included') }),
    }),
    async handler(c) {
      return c.json({ keys: await c.get('deps').keys.list(c.get('workspace')) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'delete',
      path: '/v1/keys/{keyId}',
      summary: 'Revoke a key of this workspace',
      tags: ['keys'],
      request: { params: KeyIdParam },
      responses: responses({ 204: { description: 'revoked' } }, [404]),
    }),
    async handler(c) {
      const { keyId } = valid(c, 'param', KeyIdParam);
      await c.get('deps').keys.revoke(c.get('workspace'), keyId);
      return c.body(null, 204);
    },
  }),
];
