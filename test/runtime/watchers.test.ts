/**
 * Waiting on a run across processes: the waiter subscribes to the run's channel on the real
 * Redis bus (RUNLOOM_TEST_REDIS_URL, CI sets it), and must leave no subscription behind however
 * the wait ends — also when a commit here satisfies it before Redis has acknowledged the
 * SUBSCRIBE (that subscription used to stay open for good).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisBus } from '../../src/bus/index.js';
import { Watchers } from '../../src/runtime/watchers.js';
import { runState } from '../store/fixtures.js';

const redisUrl = process.env.RUNLOOM_TEST_REDIS_URL;
const describeRedis = redisUrl ? describe : describe.skip;
const skipped = redisUrl ? '' : ' (skipped: set RUNLOOM_TEST_REDIS_URL to a Redis server to run it)';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describeRedis(`waiting on a run over Redis${skipped}`, () => {
  /** A Redis bus of its own prefix, a second connection to ask Redis, and how to ask it. */
  function redis() {
    const prefix = `runloom-test-${randomBytes(4).toString('hex')}`;
    const bus = createRedisBus({ url: redisUrl as string, prefix });
    const admin = new Redis(redisUrl as string);
    closers.push(
      () => bus.close(),
      () => admin.quit(),
    );
    return {
      bus,
      /**
       * Subscribers of a run's channel once Redis has done what the bus sent before: it answers
       * one connection's commands in order, so once a SUBSCRIBE sent later is acknowledged, an
       * UNSUBSCRIBE sent on hearing back from an earlier one is sent; once one more is, it is done.
       */
      async subscribers(runId: string): Promise<number> {
        for (const other of ['after-1', 'after-2']) (await bus.subscribeRun(other, () => {}))();
        const [, count] = (await admin.pubsub('NUMSUB', `${prefix}:run:${runId}`)) as [string, number];
        return Number(count);
      },
    };
  }

  it('a wait satisfied here before the SUBSCRIBE is acknowledged still unsubscribes', async () => {
    const { bus, subscribers } = redis();
    const running = runState({ id: 'r1', status: 'running' });
    const done = runState({ id: 'r1', status: 'completed' });
    const watchers = new Watchers(
      bus,
      true,
      async () => running,
      () => true,
      () => undefined,
    );

    const waited = watchers.waitFor('r1', (state) => state.status === 'completed');
    // The run's commit here lands at once, long before Redis answers the SUBSCRIBE.
    watchers.notify('r1', done);
    expect((await waited).status).toBe('completed');
    expect(await subscribers('r1')).toBe(0);
  });

  it('a wait satisfied by a state read from the store also unsubscribes, and so does one that fails', async () => {
    const { bus, subscribers } = redis();
    const done = runState({ id: 'r2', status: 'completed' });
    const watchers = new Watchers(
      bus,
      true,
      async (runId) => (runId === 'r2' ? done : undefined),
      () => false,
      () => undefined,
    );

    expect((await watchers.waitFor('r2', (state) => state.status === 'completed')).status).toBe('completed');
    await expect(watchers.waitFor('missing', () => true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await subscribers('r2')).toBe(0);
    expect(await subscribers('missing')).toBe(0);
  });
});
