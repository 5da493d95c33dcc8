/**
 * The callback of webhook tasks (F3.2): public — the receiver has no workspace key — and
 * answered only through the capability token of the step's callback URL, for that step alone.
 */
import { createRoute } from '@hono/zod-openapi';
import { body, json, responses } from '../responses.js';
import { type ApiRoute, defineRoute, valid } from '../route-table.js';
import { CallbackBody, callbackError, WebhookCallbackAccepted, WebhookCallbackParam } from '../schemas.js';

export const webhookRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'public',
    config: createRoute({
      method: 'post',
      path: '/v1/webhook-callbacks/{runId}/{nodeId}/{token}',
      summary: "Answer a webhook task's step (its callbackUrl)",
      description:
        'The URL is the `callbackUrl` the webhook task posted; its token answers that step only, once. ' +
        'A wrong token or another step is 404; a second answer is 409 and changes nothing.',
      tags: ['webhooks'],
      request: { params: WebhookCallbackParam, body: body(CallbackBody) },
      responses: responses({ 202: json(WebhookCallbackAccepted, 'stored: the step goes on with it') }, [404, 409]),
    }),
    async handler(c) {
      const { runId, nodeId, token } = valid(c, 'param', WebhookCallbackParam);
      const result = valid(c, 'json', CallbackBody);
      const answer =
        result.status === 'completed'
          ? { status: 'completed' as const, output: result.output ?? null }
          : { status: 'failed' as const, error: callbackError(result.error) };
      await c.get('deps').runloom.webhooks.answer(runId, nodeId, token, answer);
      return c.json({ runId, nodeId, accepted: true as const }, 202);
    },
  }),
];
