/** Event routes: read a run's log from any seq, or follow it live as Server-Sent Events. */
import { createRoute } from '@hono/zod-openapi';
import { json, responses } from '../responses.js';
import { type ApiRoute, defineRoute, valid } from '../route-table.js';
import { EventList, EventsQuery, FollowHeaders, FollowQuery, FollowToken, RunIdParam } from '../schemas.js';
import { runIn } from '../scoped.js';

export const eventRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'get',
      path: '/v1/runs/{runId}/events',
      summary: "A run's events after a seq (oldest first)",
      tags: ['events'],
      request: { params: RunIdParam, query: EventsQuery },
      responses: responses({ 200: json(EventList, 'events with seq > after') }, [404]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      const { after, limit } = valid(c, 'query', EventsQuery);
      await runIn(c, runId);
      return c.json({ events: await c.get('deps').runloom.runs.events(runId, after ?? 0, limit ?? 1000) }, 200);
    },
  }),
  defineRoute({
    scope: 'run',
    followToken: true,
    config: createRoute({
      method: 'get',
      path: '/v1/runs/{runId}/events/follow',
      summary: "Follow a run's events live (Server-Sent Events)",
      description:
        'Each `run-event` has `id:` = its seq. Reconnect with `Last-Event-ID` (or `?after=`) to go on with nothing missed and nothing twice. ' +
        'The stream ends with `event: end` after the run ends, or `event: shutdown` when the server stops. ' +
        "`event: live` carries what a step is doing now, not stored (`step.text`: a model's text as it is written); it has no `id:`, so Last-Event-ID stays the last stored seq. " +
        'Where no header can be sent (a browser EventSource), `?token=` from `POST /v1/runs/{runId}/follow-token` stands for the key.',
      tags: ['events'],
      request: { params: RunIdParam, query: FollowQuery, headers: FollowHeaders },
      responses: responses(
        { 200: { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        [404],
      ),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      const { after } = valid(c, 'query', FollowQuery);
      const lastEventId = valid(c, 'header', FollowHeaders)['Last-Event-ID'];
      await runIn(c, runId);
      const { runloom, streams } = c.get('deps');
      return streams.follow(c, runloom, runId, lastEventId === undefined ? (after ?? 0) : Number(lastEventId));
    },
  }),
  defineRoute({
    scope: 'run',
    config: createRoute({
      method: 'post',
      path: '/v1/runs/{runId}/follow-token',
      summary: "A short-lived token that opens this run's event stream (`?token=` on its follow route)",
      description: 'For clients that cannot send headers (EventSource). Valid for this run only, for 5 minutes.',
      tags: ['events'],
      request: { params: RunIdParam },
      responses: responses({ 201: json(FollowToken, 'the token and when it expires (ms)') }, [404]),
    }),
    async handler(c) {
      const { runId } = valid(c, 'param', RunIdParam);
      await runIn(c, runId);
      return c.json(c.get('deps').followTokens.issue(runId, c.get('workspace'), Date.now()), 201);
    },
  }),
];
