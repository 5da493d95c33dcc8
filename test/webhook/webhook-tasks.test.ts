/**
 * Webhook tasks over real HTTP on loopback (issue 13 item 6): a receiver checks the signature,
 * answers through the callback URL; wrong tokens, other steps' URLs and replays are refused;
 * non-2xx and timeouts fail the step with retries applied; the secret never shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRunloom } from '../../src/runloom.js';
import { type Json, openServer, type TestServer } from '../server/support.js';
import { openReceiver, type Receiver } from './receiver.js';

const SECRET = 'whsec_test_3f9a1c0e7b2d4a6f8c1e3b5d7f9a2c4e';

const hookedFlow = (receiver: string, extra = '') => `
format: runloom/v1
id: hooked
nodes:
  - { id: start, type: start }
  - id: enrich
    type: task
    webhook: ${receiver}/enrich?client=alpha
    input: { email: "=input.email" }
    output: enriched
    retry: { maxAttempts: 2, initialDelay: 10ms }
${extra}
  - id: score
    type: task
    webhook: ${receiver}/score
    input: { enriched: "=vars.enriched" }
    output: scored
  - { id: done, type: end }
edges:
  - { from: start, to: enrich }
  - { from: enrich, to: score }
  - { from: score, to: done }
`;

let t: TestServer;
let receiver: Receiver;
afterEach(async () => {
  await t?.close();
  await receiver?.close();
});

async function open(extra = ''): Promise<void> {
  receiver = await openReceiver(SECRET);
  t = await openServer({ runloom: { webhooks: { secret: SECRET, pollMs: 50 } } });
  expect((await t.call('POST', '/v1/flows', { body: { flows: [{ flow: hookedFlow(receiver.url, extra) }] } })).status).toBe(201);
}

const callbackPath = (delivery: { body: Json }) => new URL(delivery.body.callbackUrl).pathname;

describe('webhook tasks', () => {
  it('posts a signed call, waits for the callback, and refuses wrong tokens, other steps and replays', async () => {
    await open();
    const started = await t.call('POST', '/v1/runs', { body: { flowId: 'hooked', input: { email: 'a@b.co' } } });
    expect(started.status).toBe(201);
    const runId = started.body.id;

    const first = await receiver.delivery(1);
    expect(first.signatureValid).toBe(true);
    expect(first.path).toBe('/enrich?client=alpha');
    expect(first.body).toMatchObject({ runId, nodeId: 'enrich', input: { email: 'a@b.co' } });
    expect(first.body.idempotencyKey).toBe(first.idempotencyKey);
    expect(first.body.callbackUrl.startsWith(`${t.url}/v1/webhook-callbacks/${runId}/enrich/`)).toBe(true);
    // A tampered body or another secret does not verify.
    const { verifyWebhookSignature } = await import('../../src/index.js');
    expect(verifyWebhookSignature({ secret: SECRET, header: first.signature, body: first.raw.replace('a@b.co', 'x@b.co') })).toBe(
      false,
    );
    expect(verifyWebhookSignature({ secret: 'other', header: first.signature, body: first.raw })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, header: first.signature, body: first.raw, now: Date.now() + 600_000 })).toBe(
      false,
    );

    // The run waits: the step is in flight until the callback comes.
    expect((await t.call('GET', `/v1/runs/${runId}`)).body.status).toBe('running');
    // …held under a lease by this process while it waits (the metric counts every process's).
    expect((await t.call('GET', '/metrics')).body).toMatch(/^runloom_leases 1$/m);

    const path = callbackPath(first);
    const token = path.split('/').at(-1) as string;
    const wrongToken = `${path.slice(0, -token.length)}${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`;
    const answer = { status: 'completed', output: { company: 'Acme' } };
    expect((await t.call('POST', wrongToken, { body: answer })).status).toBe(404);
    // This step's token on another step's URL (and another run's) answers nothing.
    expect((await t.call('POST', path.replace('/enrich/', '/score/'), { body: answer })).status).toBe(404);
    expect((await t.call('POST', path.replace(runId, 'run_other'), { body: answer })).status).toBe(404);

    const accepted = await t.call('POST', path, { body: answer });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ runId, nodeId: 'enrich', accepted: true });

    const second = await receiver.delivery(2);
    expect(second.body).toMatchObject({ runId, nodeId: 'score', input: { enriched: { company: 'Acme' } } });
    expect(second.body.callbackUrl).not.toBe(first.body.callbackUrl);
    // The first step's token does not answer the second step.
    expect((await t.call('POST', path.replace('/enrich/', '/score/'), { body: { status: 'completed', output: 1 } })).status).toBe(
      404,
    );
    // A replay of the first callback: 409, nothing changes.
    const replay = await t.call('POST', path, { body: { status: 'completed', output: { company: 'Evil' } } });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('ALREADY_ANSWERED');

    expect((await t.call('POST', callbackPath(second), { body: { status: 'completed', output: { score: 7 } } })).status).toBe(
      202,
    );
    const done = await t.runloom.runs.wait(runId);
    expect(done.status).toBe('completed');
    expect(done.vars).toMatchObject({ enriched: { company: 'Acme' }, scored: { score: 7 } });
    expect((await t.call('POST', callbackPath(second), { body: { status: 'completed', output: 0 } })).status).toBe(409);
    expect(receiver.deliveries).toHaveLength(2);

    // The secret and the tokens are nowhere in what the API answers.
    for (const route of [`/v1/runs/${runId}`, `/v1/runs/${runId}/events`, `/v1/runs/${runId}/steps`]) {
      const text = JSON.stringify((await t.call('GET', route)).body);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(token);
    }
    // The store keeps a hash of the token, not the token.
    const rows = (t.runloom.store as unknown as { db?: { prepare(s: string): { all(): unknown[] } } }).db;
    if (rows) expect(JSON.stringify(rows.prepare('SELECT * FROM webhook_calls').all())).not.toContain(token);
  });

  it('fails the step when the receiver answers non-2xx, retrying first, and when the callback reports a failure', async () => {
    await open();
    receiver.status = 503;
    const runId = (await t.call('POST', '/v1/runs', { body: { flowId: 'hooked', input: { email: 'a@b.co' } } })).body.id;
    const failed = await t.runloom.runs.wait(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'WEBHOOK_FAILED' });
    expect(failed.error?.message).toContain('answered 503');
    expect(failed.error?.message).not.toContain('client=alpha');
    // retry: maxAttempts 2 — two deliveries, each attempt with its own idempotency key.
    expect(receiver.deliveries).toHaveLength(2);
    expect(receiver.deliveries[0]?.idempotencyKey).not.toBe(receiver.deliveries[1]?.idempotencyKey);

    receiver.status = 200;
    const second = (await t.call('POST', '/v1/runs', { body: { flowId: 'hooked', input: { email: 'c@d.co' } } })).body.id;
    const delivery = await receiver.delivery(3);
    const path = callbackPath(delivery);
    await t.call('POST', path, { body: { status: 'failed', error: { code: 'NO_SUCH_PERSON', message: 'unknown email' } } });
    // The failure is retried like any step failure: a new attempt, a new call.
    const retried = await receiver.delivery(4);
    expect(retried.body.callbackUrl).not.toBe(delivery.body.callbackUrl);
    await t.call('POST', callbackPath(retried), { body: { status: 'failed', error: { message: 'still unknown' } } });
    const done = await t.runloom.runs.wait(second);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'CALLBACK_FAILED', message: 'still unknown' });
  });

  it('fails the step with TIMEOUT when no callback comes within its timeout', async () => {
    await open('    timeout: 300ms');
    const runId = (await t.call('POST', '/v1/runs', { body: { flowId: 'hooked', input: { email: 'a@b.co' } } })).body.id;
    const failed = await t.runloom.runs.wait(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'TIMEOUT' });
    expect(receiver.deliveries).toHaveLength(2);
  });

  it('refuses at start, with nothing stored, a run whose webhook tasks this process cannot call', async () => {
    receiver = await openReceiver(SECRET);
    const saved = { secret: process.env.RUNLOOM_WEBHOOK_SECRET, url: process.env.RUNLOOM_PUBLIC_URL };
    delete process.env.RUNLOOM_WEBHOOK_SECRET;
    delete process.env.RUNLOOM_PUBLIC_URL;
    const runloom = await createRunloom({ store: 'memory:' });
    try {
      await runloom.flows.publish(hookedFlow(receiver.url));
      await expect(runloom.runs.start('hooked', { email: 'a@b.co' })).rejects.toMatchObject({
        code: 'WEBHOOK_NOT_CONFIGURED',
        message: expect.stringMatching(/RUNLOOM_WEBHOOK_SECRET.*RUNLOOM_PUBLIC_URL/),
      });
      expect(await runloom.runs.list()).toHaveLength(0);
    } finally {
      await runloom.close();
      Object.assign(process.env, {
        ...(saved.secret ? { RUNLOOM_WEBHOOK_SECRET: saved.secret } : {}),
        ...(saved.url ? { RUNLOOM_PUBLIC_URL: saved.url } : {}),
      });
    }
  });
});
