/**
 * Live policy across processes (F5.6): a run of a swarm executes in a worker PROCESS; this
 * process lowers the swarm's budget, and the run pauses before its next costly step (counted by
 * its steps after the change); raising the budget resumes it to the end. SQLite file + Redis.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRedisBus } from '../../src/bus/redis/redis-bus.js';
import { createRunloom } from '../../src/runloom.js';
import { Child } from '../crash/harness.js';
import { costlyAction, policyFlow, STEPS } from './policy-flow.js';

const redis = process.env.RUNLOOM_TEST_REDIS_URL;

(redis ? describe : describe.skip)(`live policy${redis ? '' : ' (skipped: set RUNLOOM_TEST_REDIS_URL)'}`, () => {
  it('a lowered budget pauses a run in another worker process before its next step; raised, it resumes', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'runloom-policy-')), 'r.db');
    const worker = new Child('../swarm/policy-worker.ts', [db, redis as string]);
    const client = await createRunloom({
      store: db,
      bus: createRedisBus({ url: redis as string, prefix: 'runloom' }),
      actions: [costlyAction()],
      execute: false,
      recover: false,
    });
    try {
      await worker.line('ready', 60_000);
      await client.flows.publish(policyFlow);
      const swarm = await client.swarms.start('goal: spend\nbudget: 100\npolicies: { onBudget: pause }\n');
      const run = await client.swarms.startRun(swarm.id, 'costly-steps');
      expect((await client.runs.state(run.id)).limits.maxCredits).toBe(100);
      while ((await client.runs.state(run.id)).usage.steps < 5) await sleep(20);
      await client.swarms.patch(swarm.id, [{ op: 'set', path: 'resources.budget', value: 0 }]);
      const stepsAtChange = (await client.runs.state(run.id)).usage.steps;
      let state = await client.runs.state(run.id);
      for (let i = 0; i < 200 && state.status !== 'paused'; i++) {
        await sleep(25);
        state = await client.runs.state(run.id);
      }
      expect(state).toMatchObject({ status: 'paused', reason: 'max_credits' });
      // The step in flight when the change landed may finish; no other starts.
      expect(state.usage.steps).toBeLessThanOrEqual(stepsAtChange + 1);
      await sleep(400);
      expect((await client.runs.state(run.id)).usage.steps).toBe(state.usage.steps);
      await client.swarms.patch(swarm.id, [{ op: 'set', path: 'resources.budget', value: 100 }]);
      const final = await client.runs.wait(run.id);
      expect(final.status).toBe('completed');
      expect((await client.runs.state(run.id)).usage.credits).toBe(STEPS);
    } finally {
      await client.close();
      worker.process.kill('SIGKILL');
      await worker.exited;
    }
  }, 120_000);
});
