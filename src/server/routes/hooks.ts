/**
 * Hook routes (F6.3, F9.3). Managing hooks takes a key of the workspace; delivering to one is
 * public (`POST /v1/hooks/:slug`, `…/email`), rate-limited per client address like every public
 * route, with a smaller body limit, and checked by the hook's signature when it has a secret.
 * The raw body is read as it came: the signature is over its bytes.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { RequestError } from '../../errors.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../journey/hooks.js';
import { HookBody, HookView, Received, SlugParam } from '../journey-schemas.js';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';

/** Largest hook delivery, bytes: a webhook payload or one email, not a file upload. */
export const HOOK_BODY_LIMIT = 256 * 1024;

async function delivery(c: ApiContext, accepts: readonly string[]) {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!accepts.includes(type)) {
    throw new RequestError(
      'UNSUPPORTED_MEDIA_TYPE',
      `hook '${c.req.param('slug')}': send ${accepts.join(' or ')}, not '${type || 'no content type'}'`,
    );
  }
  const declared = Number(c.req.header('content-length') ?? 0);
  const tooLarge = () =>
    new RequestError('PAYLOAD_TOO_LARGE', `hook '${c.req.param('slug')}': the body is larger than ${HOOK_BODY_LIMIT} bytes`);
  if (declared > HOOK_BODY_LIMIT) throw tooLarge();
  const raw = Buffer.from(await c.req.arrayBuffer());
  if (raw.length > HOOK_BODY_LIMIT) throw tooLarge();
  const timestamp = c.req.header(TIMESTAMP_HEADER);
  const signature = c.req.header(SIGNATURE_HEADER);
  return { body: raw, ...(timestamp ? { timestamp } : {}), ...(signature ? { signature } : {}) };
}

const signedHeaders = z.object({
  [TIMESTAMP_HEADER]: z.string().optional().openapi({ description: 'Unix seconds (signed hooks)' }),
  [SIGNATURE_HEADER]: z
    .string()
    .optional()
    .openapi({ description: 'sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret (signed hooks)' }),
});

export const hookRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'put',
      path: '/v1/hooks/{slug}',
      summary: 'Create or replace a hook: its journey, secret, field mapping, placement and email addresses',
      tags: ['hooks'],
      request: { params: SlugParam, body: body(HookBody) },
      responses: responses({ 200: json(HookView, 'the hook, without its secret') }, [404, 409]),
    }),
    async handler(c) {
      const { slug } = valid(c, 'param', SlugParam);
      const journeys = c.get('deps').runloom.journeys.in(c.get('workspace'));
      return c.json(await journeys.putHook(slug, valid(c, 'json', HookBody)), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/hooks',
      summary: "This workspace's hooks (never their secrets)",
      tags: ['hooks'],
      responses: responses({ 200: json(z.object({ hooks: z.array(HookView) }), 'hooks') }),
    }),
    handler: async (c) => c.json({ hooks: await c.get('deps').runloom.journeys.in(c.get('workspace')).hooks() }, 200),
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'delete',
      path: '/v1/hooks/{slug}',
      summary: 'Delete a hook of this workspace',
      tags: ['hooks'],
      request: { params: SlugParam },
      responses: responses({ 204: { description: 'deleted' } }, [404]),
    }),
    async handler(c) {
      await c
        .get('deps')
        .runloom.journeys.in(c.get('workspace'))
        .deleteHook(valid(c, 'param', SlugParam).slug);
      return c.body(null, 204);
    },
  }),
  defineRoute({
    scope: 'public',
    config: createRoute({
      method: 'post',
      path: '/v1/hooks/{slug}',
      summary: 'Deliver a JSON payload to a hook: it becomes (or updates) an entity of its journey',
      description: `Body: any JSON object (application/json, at most ${HOOK_BODY_LIMIT} bytes). A replayed or badly signed request is refused and stores nothing.`,
      tags: ['hooks'],
      request: { params: SlugParam, headers: signedHeaders },
      responses: responses({ 200: json(Received, 'the entity, created or updated') }, [404, 409]),
    }),
    async handler(c) {
      const { slug } = valid(c, 'param', SlugParam);
      return c.json(await c.get('deps').runloom.journeys.receive(slug, await delivery(c, ['application/json'])), 200);
    },
  }),
  defineRoute({
    scope: 'public',
    config: createRoute({
      method: 'post',
      path: '/v1/hooks/{slug}/email',
      summary: 'Deliver a raw email (MIME) to a hook: its sender is matched to an entity',
      description: `Body: the message as received (message/rfc822, at most ${HOOK_BODY_LIMIT} bytes). Signed like JSON deliveries when the hook has a secret.`,
      tags: ['hooks'],
      request: { params: SlugParam, headers: signedHeaders },
      responses: responses({ 200: json(Received, 'the entity the reply was recorded on') }, [404, 409]),
    }),
    async handler(c) {
      const { slug } = valid(c, 'param', SlugParam);
      return c.json(
        await c.get('deps').runloom.journeys.receiveEmail(slug, await delivery(c, ['message/rfc822', 'text/plain'])),
        200,
      );
    },
  }),
];
