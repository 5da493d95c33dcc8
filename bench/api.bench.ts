/**
 * API rows (not part of `npm run bench` yet): run starts/s over HTTP — a 1-step flow, keep-alive,
 * 64 connections, autocannon — with p50/p99, beside the floor measured in the same run: a bare
 * Hono route on the same server stack answering the same body. And a read route (GET a run)
 * against the same floor. `npx tsx bench/api.bench.ts [seconds]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { pino } from 'pino';
import { createRunloom } from '../src/runloom.js';
import { startServer } from '../src/server/serve.js';
import { type FanOut, follow, percentile } from './lib/sse-followers.js';

const seconds = Number(process.argv[2] ?? 5);
const FLOW = {
  format: 'runloom/v1',
  id: 'one',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'task', action: 'set', input: { x: 1 } },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'a' },
    { from: 'a', to: 'end' },
  ],
};
const load = (url: string, method = 'GET', body?: string) =>
  autocannon({
    url,
    connections: 64,
    duration: seconds,
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body } : {}),
  });

const dir = mkdtempSync(join(tmpdir(), 'runloom-api-bench-'));
const runloom = await createRunloom({ store: join(dir, 'bench.db'), durability: 'normal' });
await runloom.flows.publish(FLOW);
const server = await startServer({
  runloom,
  host: '127.0.0.1',
  port: 0,
  logger: pino({ level: 'silent' }),
  rateLimits: { perKey: { burst: 1e9, perSecond: 1e9 }, public: { burst: 1e9, perSecond: 1e9 } },
});
const sample = await runloom.runs.start('one', {});
const sampleBody = JSON.stringify(await runloom.runs.get(sample.id));

const floorApp = new Hono();
floorApp.post('/v1/runs', (c) => c.body(sampleBody, 201, { 'content-type': 'application/json' }));
floorApp.get('/v1/runs/x', (c) => c.body(sampleBody, 200, { 'content-type': 'application/json' }));
const floor = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: floorApp.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
});
const floorUrl = `http://127.0.0.1:${(floor.address() as { port: number }).port}`;

const rows: string[] = [];
const row = (name: string, r: Awaited<ReturnType<typeof load>>, base?: Awaited<ReturnType<typeof load>>) =>
  rows.push(
    `| ${name} | ${Math.round(r.requests.average).toLocaleString('en-US')} | ${r.latency.p50} | ${r.latency.p99} | ${base ? `${((100 * r.requests.average) / base.requests.average).toFixed(0)}%` : '—'} | ${r.non2xx + r.errors} |`,
  );
const floorStart = await load(`${floorUrl}/v1/runs`, 'POST', '{"flowId":"one"}');
const starts = await load(`${server.url}/v1/runs`, 'POST', '{"flowId":"one","input":{}}');
const floorRead = await load(`${floorUrl}/v1/runs/x`);
const read = await load(`${server.url}/v1/runs/${sample.id}`);
const health = await load(`${server.url}/healthz`);
row('floor: bare Hono route, same body (POST)', floorStart);
row('POST /v1/runs (1-step flow, SQLite normal)', starts, floorStart);
row('floor: bare Hono route, same body (GET)', floorRead);
row('GET /v1/runs/{id}', read, floorRead);
row('GET /healthz (the middleware alone)', health, floorRead);

// Events to concurrent SSE followers of one run (parked on a signal until all follow), beside a
// bare Hono SSE route fanning the same events out to as many connections as fast as it can.
const FOLLOWERS = Number(process.env.SSE_FOLLOWERS ?? 1_000);
const FAN_STEPS = 40;
const fanFlow = {
  format: 'runloom/v1',
  id: 'fan',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'go', type: 'wait', signal: 'go' },
    ...Array.from({ length: FAN_STEPS }, (_, i) => ({ id: `s${i}`, type: 'task', action: 'set', input: { i } })),
    { id: 'end', type: 'end' },
  ],
  edges: ['start', 'go', ...Array.from({ length: FAN_STEPS }, (_, i) => `s${i}`), 'end']
    .slice(1)
    .map((to, i, all) => ({ from: i === 0 ? 'start' : all[i - 1], to })),
};
await runloom.flows.publish(fanFlow);
const parked = await runloom.runs.start('fan', {});
await runloom.runs.wait(parked.id, (state) => state.tokens.some((t) => t.status === 'waiting'));
const after = (await runloom.runs.events(parked.id)).at(-1)?.seq ?? 0;
const followers = follow(`${server.url}/v1/runs/${parked.id}/events/follow?after=${after}`, FOLLOWERS);
await followers.ready;
await runloom.runs.signal(parked.id, 'go');
const fan = await followers.done();
const fanEvents = (await runloom.runs.events(parked.id, after)).map((e) => JSON.stringify(e));

const streams = new Set<SSEStreamingApi>();
let streamsReady: () => void = () => {};
const allStreams = new Promise<void>((resolve) => {
  streamsReady = resolve;
});
let broadcastDone: () => void = () => {};
const broadcast = new Promise<void>((resolve) => {
  broadcastDone = resolve;
});
const sseFloorApp = new Hono();
sseFloorApp.get('/follow', (c) =>
  streamSSE(c, async (stream) => {
    await stream.writeSSE({ event: 'open', data: '{}' });
    streams.add(stream);
    if (streams.size === FOLLOWERS) streamsReady();
    await broadcast;
  }),
);
const sseFloor = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: sseFloorApp.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
});
const floorFollowers = follow(`http://127.0.0.1:${(sseFloor.address() as { port: number }).port}/follow`, FOLLOWERS);
await floorFollowers.ready;
await allStreams;
for (const text of fanEvents) {
  const data = text.replace(/"at":\d+/, `"at":${Date.now()}`);
  await Promise.all([...streams].map((stream) => stream.writeSSE({ event: 'run-event', data })));
}
await Promise.all([...streams].map((stream) => stream.writeSSE({ event: 'end', data: '{}' })));
broadcastDone();
const floorFan = await floorFollowers.done();

const fanRow = (name: string, r: FanOut, base?: FanOut) => {
  const perSecond = (r.delivered * 1000) / r.spanMs;
  const baseRate = base ? (base.delivered * 1000) / base.spanMs : undefined;
  rows.push(
    `| ${name} | ${Math.round(perSecond).toLocaleString('en-US')} events/s | ${percentile(r.latencies, 50)} | ${percentile(r.latencies, 99)} | ${baseRate ? `${((100 * perSecond) / baseRate).toFixed(0)}%` : '—'} | ${FOLLOWERS * fanEvents.length - r.delivered} missing |`,
  );
};
fanRow(`floor: bare Hono SSE route, ${FOLLOWERS} followers, same ${fanEvents.length} events`, floorFan);
fanRow(`GET /v1/runs/{id}/events/follow, ${FOLLOWERS} followers, ${FAN_STEPS}-step run`, fan, floorFan);

process.stdout.write(
  `| ${seconds} s, 64 connections, keep-alive | req/s | p50 ms | p99 ms | of floor | non-2xx |\n| --- | --: | --: | --: | --: | --: |\n${rows.join('\n')}\n`,
);
floor.close();
sseFloor.close();
await server.close();
await runloom.close();
rmSync(dir, { recursive: true, force: true });
