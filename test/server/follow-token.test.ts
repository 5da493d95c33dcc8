/**
 * Follow tokens: a browser's EventSource sends no header, so a key holder gets a short-lived
 * token for one run's stream. It opens that stream only: not another run's, not another route,
 * not after it expires, not when tampered with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFollowTokens, FOLLOW_TOKEN_TTL_MS } from '../../src/server/follow-tokens.js';
import { openSse } from './sse-client.js';
import { APPROVAL_FLOW, openTwoWorkspaces, type TestServer } from './support.js';

let t: TestServer;
let alpha = '';
let beta = '';
let first = '';
let second = '';

beforeAll(async () => {
  ({ t, alpha, beta } = await openTwoWorkspaces());
  await t.call('POST', '/v1/flows', { key: alpha, body: { flows: [{ flow: APPROVAL_FLOW }] } });
  first = (await t.call('POST', '/v1/runs', { key: alpha, body: { flowId: 'approval', input: { amount: 1 } } })).body.id;
  second = (await t.call('POST', '/v1/runs', { key: alpha, body: { flowId: 'approval', input: { amount: 2 } } })).body.id;
});
afterAll(async () => {
  await t?.close();
});

describe('follow tokens', () => {
  it("open the run's event stream without a header, and nothing else", async () => {
    const issued = await t.call('POST', `/v1/runs/${first}/follow-token`, { key: alpha });
    expect(issued.status).toBe(201);
    expect(issued.body.expiresAt).toBeGreaterThan(Date.now());
    const token = encodeURIComponent(issued.body.token);

    const stream = openSse(`${t.url}/v1/runs/${first}/events/follow?token=${token}`, {});
    expect(await stream.status).toBe(200);
    expect((await stream.next())?.event).toBe('open');
    const event = await stream.next();
    expect(event?.event).toBe('run-event');
    expect(JSON.parse(event?.data ?? '{}').type).toBe('run.started');
    stream.destroy();

    // Not another run's stream, not another route, not without a key elsewhere.
    expect((await t.call('GET', `/v1/runs/${second}/events/follow?token=${token}`)).status).toBe(401);
    expect((await t.call('GET', `/v1/runs/${first}?token=${token}`)).status).toBe(401);
    expect((await t.call('GET', `/v1/runs/${first}/events?token=${token}`)).status).toBe(401);
    // Tampered: another run id in the payload, the same signature.
    const [payload, signature] = issued.body.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, r: second })).toString('base64url')}.${signature}`;
    const refused = await t.call('GET', `/v1/runs/${second}/events/follow?token=${encodeURIComponent(forged)}`);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHORIZED');
  });

  it("is not given for another workspace's run, and expires", async () => {
    expect((await t.call('POST', `/v1/runs/${first}/follow-token`, { key: beta })).status).toBe(404);
    const tokens = createFollowTokens('secret');
    const { token } = tokens.issue('run_1', 'alpha', 1_000);
    expect(tokens.verify(token, 'run_1', 1_000 + FOLLOW_TOKEN_TTL_MS - 1)).toBe('alpha');
    expect(tokens.verify(token, 'run_1', 1_000 + FOLLOW_TOKEN_TTL_MS)).toBeUndefined();
    expect(tokens.verify(token, 'run_2', 1_001)).toBeUndefined();
    expect(createFollowTokens('other').verify(token, 'run_1', 1_001)).toBeUndefined();
  });
});
