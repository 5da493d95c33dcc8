/** Health, readiness and metrics: public, answered without a key. */
import { createRoute } from '@hono/zod-openapi';
import { json, responses } from '../responses.js';
import { type ApiRoute, defineRoute } from '../route-table.js';
import { Health } from '../schemas.js';

export const systemRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'public',
    config: createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      tags: ['system'],
      responses: responses({ 200: json(Health, 'alive') }),
    }),
    handler: (c) => c.json({ ok: true }, 200),
  }),
  defineRoute({
    scope: 'public',
    config: createRoute({
      method: 'get',
      path: '/readyz',
      summary: 'The store (and bus) answer: ready for traffic',
      tags: ['system'],
      responses: responses({ 200: json(Health, 'ready'), 503: json(Health, 'not ready: which check failed') }),
    }),
    async handler(c) {
      const { runloom, shuttingDown } = c.get('deps');
      const checks: Record<string, string> = {};
      try {
        await runloom.store.listRuns({ limit: 1 });
        checks.store = 'ok';
      } catch (error) {
        checks.store = `unreachable: ${(error as Error).name}`;
      }
      checks.bus = (await runloom.bus.ping()) ? 'ok' : 'unreachable';
      if (shuttingDown()) checks.server = 'shutting down';
      const ok = Object.values(checks).every((v) => v === 'ok');
      return c.json({ ok, checks }, ok ? 200 : 503);
    },
  }),
  defineRoute({
    scope: 'public',
    config: createRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['system'],
      responses: responses({
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
      }),
    }),
    async handler(c) {
      const { metrics, runloom, streams, observed, relay } = c.get('deps');
      return c.text(await metrics.render(runloom.store, streams.size, observed, relay), 200, {
        'content-type': 'text/plain; version=0.0.4',
      });
    },
  }),
];
