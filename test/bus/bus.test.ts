/** The Bus contract on the memory bus and on the real Redis (RUNLOOM_TEST_REDIS_URL, CI sets it). */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/bus/bus.js';
import { createMemoryBus, createRedisBus, openBus } from '../../src/bus/index.js';
import type { RunEvent } from '../../src/engine/types.js';
import { describeBusContract } from './bus-contract.js';

const redisUrl = process.env.RUNLOOM_TEST_REDIS_URL;
const describeRedis = redisUrl ? describe : describe.skip;
const skipped = redisUrl ? '' : ' (skipped: set RUNLOOM_TEST_REDIS_URL to a Redis server to run it)';

describeBusContract('memory', async () => {
  const bus = createMemoryBus();
  return { publisher: bus, subscriber: bus };
});

describeRedis(`Redis${skipped}`, () => {
  describeBusContract('redis', async () => {
    // Two connections sets, as two processes; a prefix of their own keeps parallel tests apart.
    const prefix = `runloom-test-${randomBytes(4).toString('hex')}`;
    return {
      publisher: createRedisBus({ url: redisUrl as string, prefix }),
      subscriber: createRedisBus({ url: redisUrl as string, prefix }),
    };
  });

  it('keeps deployments with different prefixes apart', async () => {
    const a = openBus(`${redisUrl}?prefix=rl-a-${randomBytes(3).toString('hex')}`);
    const b = openBus(`${redisUrl}?prefix=rl-b-${randomBytes(3).toString('hex')}`);
    const seen: RunEvent[] = [];
    await b.subscribeRun('r', (_, events) => seen.push(...events));
    a.publishRunEvents('r', [{ seq: 1, type: 'x', at: 1 }]);
    b.publishRunEvents('r', [{ seq: 2, type: 'x', at: 2 }]);
    const until = Date.now() + 2_000;
    while (seen.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((e) => e.seq)).toEqual([2]);
    await Promise.all([a.close(), b.close()]);
  });
});

describeRedis(`Redis live events${skipped}`, () => {
  it('stop going to a run nobody follows for a second, then try again', async () => {
    const prefix = `runloom-test-${randomBytes(4).toString('hex')}`;
    const publisher = createRedisBus({ url: redisUrl as string, prefix });
    const subscriber = createRedisBus({ url: redisUrl as string, prefix });
    const heard: string[] = [];
    const text = (t: string): LiveEvent => ({ type: 'step.text', live: true, at: 1, nodeId: 'ask', attempt: 1, text: t });
    try {
      publisher.publishLive('r', text('to nobody'));
      // Its PUBLISH answered 0 listeners: the run's live events are held back for a while.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await subscriber.subscribeLive('r', (_, event) => heard.push(event.text));
      publisher.publishLive('r', text('held back'));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      publisher.publishLive('r', text('heard'));
      const until = Date.now() + 2_000;
      while (heard.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(heard).toEqual(['heard']);
    } finally {
      await Promise.all([publisher.close(), subscriber.close()]);
    }
  });
});

describe('openBus', () => {
  it('opens the memory bus by default and refuses an unknown scheme, naming it', () => {
    expect(openBus()).toBeDefined();
    expect(() => openBus('kafka://x')).toThrow(expect.objectContaining({ code: 'BUS_UNSUPPORTED' }));
  });
});
