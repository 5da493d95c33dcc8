/**
 * The runtime as a worker on PostgreSQL under short leases: renewals race with every commit,
 * and no step may run twice for it. Needs RUNLOOM_TEST_PG_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createMemoryBus } from '../../src/bus/memory/memory-bus.js';
import { createRunloom } from '../../src/runloom.js';
import { forkJoinFlow, linearFlow } from './support.js';

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
  it('runs every step exactly once while lease renewals race with commits (400 ms leases)', async () => {
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
      store: `${url}?schema=${schema}&lease_ms=400`,
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

describePg(`shared runtime inboxes${skipped}`, () => {
  it('applies an inbox item once even when wake-ups for it arrive twice, on a run this process started', async () => {
    const bus = createMemoryBus();
    let release: () => void = () => {};
    const slow = defineAction({
      name: 'test.slow',
      input: z.any(),
      run: () => new Promise<null>((resolve) => (release = () => resolve(null))),
    });
    const runloom = await createRunloom({ store: `${url}?schema=${schema}`, bus, actions: [slow], worker: true });
    try {
      await runloom.flows.publish(
        forkJoinFlow('held', [
          { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
          { id: 'work', type: 'task', action: 'test.slow', input: {} },
        ]),
      );
      // Held here (its slow step is in flight); the signal comes as another process sends it.
      const run = await runloom.runs.start('held', {});
      await runloom.store.leases?.send(
        run.id,
        { type: 'signal.received', at: Date.now(), name: 'go', payload: { n: 1 } },
        Date.now(),
      );
      bus.publishWake({ runId: run.id });
      bus.publishWake({ runId: run.id });
      await runloom.runs.wait(run.id, (s) => s.vars.gate !== undefined);
      release();
      const done = await runloom.runs.wait(run.id);
      expect(done.status).toBe('completed');
      const signals = (await runloom.runs.events(run.id)).filter((e) => e.type === 'signal.received');
      expect(signals).toHaveLength(1);
      // Nothing left over either (a second copy would wait as an early signal).
      expect((await runloom.runs.state(run.id)).signals).toEqual([]);
    } finally {
      await runloom.close();
    }
  });
});
