/**
 * Rate limits (429 + Retry-After, per key and per address on public routes) and the logs: one
 * JSON line per request with its id, route, workspace and run id, and never a key's secret.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeys } from '../../src/server/keys.js';
import { openServer, QUICK_FLOW, type TestServer } from './support.js';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
let t: TestServer;
let key = '';
let other = '';

beforeAll(async () => {
  t = await openServer({
    requireKeys: true,
    logger: pino({ level: 'info' }, sink),
    rateLimits: { perKey: { burst: 5, perSecond: 0.5 }, public: { burst: 3, perSecond: 0.5 } },
    async prepare(runloom) {
      const keys = createApiKeys(runloom.store.apiKeys);
      key = (await keys.create('default', 'a')).secret;
      other = (await keys.create('default', 'b')).secret;
    },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('rate limits', () => {
  it('answers 429 with Retry-After past the burst, per key, and on public routes per address', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.call('GET', '/v1/flows', { key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await t.call('GET', '/v1/flows', { key });
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another key has its own bucket.
    expect((await t.call('GET', '/v1/flows', { key: other })).status).toBe(200);
    const health = [];
    for (let i = 0; i < 4; i++) health.push((await t.call('GET', '/healthz')).status);
    expect(health).toEqual([200, 200, 200, 429]);
  });
});

describe('logs', () => {
  it('one JSON line per request with request id, route, status, workspace and run id; no secret anywhere', async () => {
    await t.call('POST', '/v1/flows', { key: other, body: { flows: [{ flow: QUICK_FLOW }] } });
    const run = await t.call('POST', '/v1/runs', { key: other, body: { flowId: 'quick', input: { n: 1 } } });
    await t.call('GET', `/v1/runs/${run.body.id}`, { key: other, headers: {} });
    await t.call('GET', '/v1/runs', { key: `${key.slice(0, -3)}abc` });
    const entries = lines.map((line) => JSON.parse(line));
    const shown = entries.find((e) => e.route === '/v1/runs/:runId' && e.status === 200);
    expect(shown).toMatchObject({ level: 30, method: 'GET', workspace: 'default', runId: run.body.id });
    expect(shown.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries.some((e) => e.status === 401)).toBe(true);
    const all = lines.join('\n');
    for (const secret of [key, other, key.slice(0, -3)]) expect(all).not.toContain(secret);
    expect(all).not.toContain('Bearer');
  });
});
