/**
 * Webhook tasks on PostgreSQL + Redis: a relay `serve` process takes the callback, a `runloom
 * worker` process executes the step and waits for it. The wait is durable: a worker killed with
 * SIGKILL while its step waits loses nothing — the answer sent meanwhile is stored, and the
 * worker that takes the run over completes the step from it without posting again.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runloom } from '../../src/runloom.js';
import { createApiKeys } from '../../src/server/keys.js';
import { type Json, request, spawnServe } from '../server/support.js';
import { type Cluster, canRun, kill, openCluster, skipped } from '../worker/support.js';
import { openReceiver, type Receiver } from './receiver.js';

const SECRET = 'whsec_relay_5b7d9f1a3c5e7092b4d6f8a0c2e4f6a8';

let cluster: Cluster;
let client: Runloom;
let receiver: Receiver;
let relay: { url: string; child: ChildProcess };
let key = '';

const startServe = () => spawnServe(['--store', cluster.storeUrl, '--bus', cluster.busUrl]);

async function poll(runId: string, until: (run: Json) => boolean): Promise<Json> {
  for (let i = 0; ; i++) {
    const run = (await request(relay.url, 'GET', `/v1/runs/${runId}`, { key })).body;
    if (until(run) || i === 300) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const flow = (url: string) => `
format: runloom/v1
id: hooked
nodes:
  - { id: start, type: start }
  - { id: enrich, type: task, webhook: ${url}/enrich, input: { email: "=input.email" }, output: enriched }
  - { id: done, type: end }
edges:
  - { from: start, to: enrich }
  - { from: enrich, to: done }
`;

describe.skipIf(!canRun)(`webhook tasks through a relay, steps in worker processes${skipped}`, () => {
  beforeAll(async () => {
    cluster = await openCluster(1_000);
    client = await cluster.client();
    key = (await createApiKeys(client.store.apiKeys).create('ops', 'webhook relay test')).secret;
    receiver = await openReceiver(SECRET);
    process.env.RUNLOOM_WEBHOOK_SECRET = SECRET;
    relay = await startServe();
    // Workers hand out the relay's address as the callback base.
    process.env.RUNLOOM_PUBLIC_URL = relay.url;
    await cluster.startWorker('w1');
    const published = await request(relay.url, 'POST', '/v1/flows', { key, body: { flows: [{ flow: flow(receiver.url) }] } });
    expect(published.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    delete process.env.RUNLOOM_WEBHOOK_SECRET;
    delete process.env.RUNLOOM_PUBLIC_URL;
    if (relay) await kill(relay.child);
    await receiver?.close();
    await cluster?.close();
  });

  it('the worker posts, the relay takes the callback, the worker completes the step', async () => {
    const run = (await request(relay.url, 'POST', '/v1/runs', { key, body: { flowId: 'hooked', input: { email: 'a@b.co' } } }))
      .body;
    const delivery = await receiver.delivery(1);
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.body).toMatchObject({ runId: run.id, nodeId: 'enrich', input: { email: 'a@b.co' } });
    expect(delivery.body.callbackUrl.startsWith(`${relay.url}/v1/webhook-callbacks/`)).toBe(true);
    // The relay's metrics: the worker's lease is store-wide; step counters live in the worker, so
    // the relay leaves them out rather than show zeros.
    const metrics = (await request(relay.url, 'GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^runloom_leases 1$/m);
    expect(metrics).not.toContain('runloom_steps_total');
    expect(metrics).toMatch(/^runloom_commit_duration_seconds_count [1-9]/m);
    // The receiver has no workspace key: the URL is its capability.
    const answered = await request(delivery.body.callbackUrl, 'POST', '', { body: { status: 'completed', output: { n: 1 } } });
    expect(answered.status).toBe(202);
    const done = await poll(run.id, (r) => r.status === 'completed');
    expect(done.status).toBe('completed');
    expect(done.vars.enriched).toEqual({ n: 1 });
  }, 60_000);

  it('a worker killed while its step waits: the answer is kept, the next worker completes the step without posting again', async () => {
    const run = (await request(relay.url, 'POST', '/v1/runs', { key, body: { flowId: 'hooked', input: { email: 'c@d.co' } } }))
      .body;
    const delivery = await receiver.delivery(2);
    await kill(cluster.workers.get('w1') as ChildProcess);
    const answered = await request(delivery.body.callbackUrl, 'POST', '', { body: { status: 'completed', output: { n: 2 } } });
    expect(answered.status).toBe(202);
    expect(
      (await request(delivery.body.callbackUrl, 'POST', '', { body: { status: 'completed', output: { n: 3 } } })).status,
    ).toBe(409);
    await cluster.startWorker('w2');
    const done = await poll(run.id, (r) => r.status === 'completed');
    expect(done.status).toBe('completed');
    expect(done.vars.enriched).toEqual({ n: 2 });
    expect(receiver.deliveries).toHaveLength(2);
  }, 60_000);
});
