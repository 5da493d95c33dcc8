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
import { pino } from 'pino';
import { createRunloom } from '../src/runloom.js';
import { startServer } from '../src/server/serve.js';

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
process.stdout.write(
  `| ${seconds} s, 64 connections, keep-alive | req/s | p50 ms | p99 ms | of floor | non-2xx |\n| --- | --: | --: | --: | --: | --: |\n${rows.join('\n')}\n`,
);
floor.close();
await server.close();
await runloom.close();
rmSync(dir, { recursive: true, force: true });
