/**
 * `runloom serve` as a relay on PostgreSQL + Redis: two serve processes (one address in front
 * of them is any load balancer: here the test alternates), a `runloom worker` process that runs
 * every step. Routes answer the same through either server; an SSE client killed mid-stream and
 * reconnected to the other server with Last-Event-ID gets every event once, in order; SIGTERM
 * ends a server's streams with `event: shutdown` and exits 0.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runloom } from '../../src/runloom.js';
import { createApiKeys } from '../../src/server/keys.js';
import { sequentialFlow } from '../worker/flows.js';
import { ACTION_MODULES, type Cluster, canRun, kill, openCluster, skipped } from '../worker/support.js';
import { openSse, type SseMessage } from './sse-client.js';
import { APPROVAL_FLOW, type Json, request, spawnServe } from './support.js';

let cluster: Cluster;
let client: Runloom;
let key = '';
const servers: { url: string; child: ChildProcess }[] = [];

const startServe = (cluster: Cluster) =>
  spawnServe(['--store', cluster.storeUrl, '--bus', cluster.busUrl, '--actions', ACTION_MODULES.work]);

/** The run as a server shows it, once `until` holds (the worker runs it meanwhile). */
async function poll(url: string, runId: string, until: (run: Json) => boolean): Promise<Json> {
  for (let i = 0; ; i++) {
    const run = (await request(url, 'GET', `/v1/runs/${runId}`, { key })).body;
    if (until(run) || i === 200) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!canRun)(`relay servers on PostgreSQL + Redis, steps in a worker process${skipped}`, () => {
  beforeAll(async () => {
    cluster = await openCluster(2_000);
    client = await cluster.client();
    key = (await createApiKeys(client.store.apiKeys).create('ops', 'relay test')).secret;
    servers.push(await startServe(cluster), await startServe(cluster));
    await cluster.startWorker('w1');
  }, 60_000);
  afterAll(async () => {
    for (const { child } of servers) await kill(child);
    await cluster?.close();
  });

  it('refuses to relay without a key, and answers through either server', async () => {
    const [a, b] = servers;
    expect((await request(a.url, 'GET', '/v1/runs')).status).toBe(401);
    const flows = { flows: [{ flow: sequentialFlow('steps', 3, 5, 10) }, { flow: APPROVAL_FLOW }] };
    expect((await request(a.url, 'POST', '/v1/flows', { key, body: flows })).status).toBe(201);
    const started = await request(b.url, 'POST', '/v1/runs', { key, body: { flowId: 'steps', input: {} } });
    expect(started.status).toBe(201);
    const shown = await poll(a.url, started.body.id, (run) => run.status === 'completed');
    expect(shown.status).toBe('completed');
    const steps = await request(b.url, 'GET', `/v1/runs/${started.body.id}/steps`, { key });
    expect(steps.body.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['s1', 's2', 's3']);

    const waiting = await request(a.url, 'POST', '/v1/runs', { key, body: { flowId: 'approval', input: { amount: 3 } } });
    const view = await poll(b.url, waiting.body.id, (run) => run.waitingOn.length > 0);
    expect(view.waitingOn[0].nodeId).toBe('approve');
    expect((await request(b.url, 'POST', `/v1/runs/${view.id}/signal`, { key, body: { name: 'approval' } })).status).toBe(200);
    expect((await request(a.url, 'GET', '/readyz')).body.checks).toEqual({ store: 'ok', bus: 'ok' });
  }, 60_000);

  it('a follower killed mid-stream and reconnected elsewhere with Last-Event-ID gets every event once, in order', async () => {
    const [a, b] = servers;
    await request(a.url, 'POST', '/v1/flows', { key, body: { flows: [{ flow: sequentialFlow('slow', 12, 40, 80) }] } });
    const run = (await request(a.url, 'POST', '/v1/runs', { key, body: { flowId: 'slow', input: {} } })).body;
    const auth = { authorization: `Bearer ${key}` };
    const received: SseMessage[] = [];
    const first = openSse(`${a.url}/v1/runs/${run.id}/events/follow`, auth);
    expect(await first.status).toBe(200);
    while (received.filter((m) => m.event === 'run-event').length < 6) {
      const message = await first.next();
      if (!message) throw new Error('stream ended early');
      received.push(message);
    }
    first.destroy();
    const lastId = received.filter((m) => m.id !== undefined).at(-1)?.id as string;
    const second = openSse(`${b.url}/v1/runs/${run.id}/events/follow`, { ...auth, 'last-event-id': lastId });
    expect(await second.status).toBe(200);
    for (let message = await second.next(); message; message = await second.next()) {
      received.push(message);
      if (message.event === 'end') break;
    }
    second.destroy();
    const seqs = received.filter((m) => m.event === 'run-event').map((m) => Number(m.id));
    const logged = (await request(a.url, 'GET', `/v1/runs/${run.id}/events?limit=10000`, { key })).body.events;
    expect(logged.at(-1).type).toBe('run.completed');
    expect(seqs).toEqual(logged.map((e: { seq: number }) => e.seq));
    expect(received.filter((m) => m.event === 'run-event').map((m) => JSON.parse(m.data))).toEqual(logged);
    expect(received.at(-1)?.event).toBe('end');
  }, 60_000);

  it('SIGTERM: streams end with `event: shutdown`, the other server goes on, the process exits 0', async () => {
    const [a, b] = servers;
    const run = (await request(b.url, 'POST', '/v1/runs', { key, body: { flowId: 'approval', input: {} } })).body;
    const stream = openSse(`${a.url}/v1/runs/${run.id}/events/follow`, { authorization: `Bearer ${key}` });
    expect(await stream.status).toBe(200);
    expect((await stream.next())?.event).toBe('open');
    const exited = new Promise<number | null>((resolve) => a.child.once('exit', (code) => resolve(code)));
    a.child.kill('SIGTERM');
    let last: SseMessage | undefined;
    for (let message = await stream.next(); message; message = await stream.next()) last = message;
    expect(last?.event).toBe('shutdown');
    expect(await exited).toBe(0);
    expect((await request(b.url, 'GET', `/v1/runs/${run.id}`, { key })).status).toBe(200);
  }, 60_000);
});
