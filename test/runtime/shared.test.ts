/**
 * The runtime as a worker on PostgreSQL under short leases: renewals race with every commit,
 * and no step may run twice for it. Needs RUNLOOM_TEST_PG_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createRunloom } from '../../src/runloom.js';
import { linearFlow } from './support.js';

const url = process.env.RUNLOOM_TEST_PG_URL;
const describePg = url ? describe : describe.skip;
const skipped = url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL to run it)';
const schema = `runloom_shared_${randomBytes(5).toString('hex')}`;

afterAll(async () => {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describePg(`shared runtime under short leases${skipped}`, () => {
  it('runs every step exactly once while lease renewals race with commits (150 ms leases)', async () => {
    const executed = new Map<string, number>();
    const count = defineAction({
      name: 'test.count',
      input: z.any(),
      run: (_input, ctx) => {
        executed.set(ctx.idempotencyKey, (executed.get(ctx.idempotencyKey) ?? 0) + 1);
        return null;
      },
    });
    const runloom = await createRunloom({
      store: `${url}?schema=${schema}&lease_ms=150`,
      actions: [count],
      worker: { pollMs: 50 },
    });
    try {
      const steps = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, type: 'task', action: 'test.count', input: {} }));
      await runloom.flows.publish(linearFlow('counted', steps));
      const deadline = Date.now() + 4_000;
      let runs = 0;
      // One after another for a few seconds: dozens of renewals land mid-commit.
      while (Date.now() < deadline) {
        const run = await runloom.runs.start('counted', {});
        expect((await runloom.runs.wait(run.id)).status).toBe('completed');
        runs++;
      }
      const concurrent = await Promise.all(Array.from({ length: 200 }, () => runloom.runs.start('counted', {})));
      for (const run of await Promise.all(concurrent.map((r) => runloom.runs.wait(r.id)))) expect(run.status).toBe('completed');
      runs += concurrent.length;
      expect(executed.size).toBe(runs * 5);
      expect([...executed.values()].filter((n) => n > 1)).toEqual([]);
    } finally {
      await runloom.close();
    }
  }, 30_000);
});
