/**
 * Idempotency-Key across relays (issue 13): two `serve` processes on one PostgreSQL store, the
 * same key sent to both at once many times — one run, every answer naming it, one 201.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runloom } from '../../src/runloom.js';
import { createApiKeys } from '../../src/server/keys.js';
import { type Cluster, canRun, kill, openCluster, skipped } from '../worker/support.js';
import { QUICK_FLOW, request, spawnServe } from './support.js';

let cluster: Cluster;
let client: Runloom;
let key = '';
const servers: { url: string; child: ChildProcess }[] = [];

describe.skipIf(!canRun)(`Idempotency-Key across two relays on PostgreSQL${skipped}`, () => {
  beforeAll(async () => {
    cluster = await openCluster(2_000);
    client = await cluster.client();
    key = (await createApiKeys(client.store.apiKeys).create('ops', 'idempotency test')).secret;
    const args = ['--store', cluster.storeUrl, '--bus', cluster.busUrl];
    servers.push(...(await Promise.all([spawnServe(args), spawnServe(args)])));
    expect((await request(servers[0].url, 'POST', '/v1/flows', { key, body: { flows: [{ flow: QUICK_FLOW }] } })).status).toBe(
      201,
    );
  }, 60_000);
  afterAll(async () => {
    for (const { child } of servers) await kill(child);
    await cluster?.close();
  });

  it('the same key sent to both servers at once starts one run', async () => {
    for (const idempotencyKey of ['order-1', 'order-2', 'order-3']) {
      const replies = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          request(servers[i % 2].url, 'POST', '/v1/runs', {
            key,
            headers: { 'Idempotency-Key': idempotencyKey },
            body: { flowId: 'quick', input: { n: i } },
          }),
        ),
      );
      const statuses = replies.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 201),
        JSON.stringify(replies.map((r) => [r.status, r.body])),
      ).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(15);
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    }
    const listed = (await request(servers[1].url, 'GET', '/v1/runs?limit=100', { key })).body.runs;
    expect(listed).toHaveLength(3);
  }, 60_000);
});
