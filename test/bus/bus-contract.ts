/**
 * The Bus contract, run on the memory bus and on the real Redis. `connect()` gives two ends as
 * two processes would hold them (the memory bus: one instance for both, it is one process).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, LiveEvent, Wake } from '../../src/bus/bus.js';
import type { RunEvent } from '../../src/engine/types.js';

const ev = (seq: number, type = 'step.completed'): RunEvent => ({ seq, type, at: 1_700_000_000_000 + seq });

/** Resolves once `predicate` holds, polling briefly (delivery over Redis is asynchronous). */
async function eventually(predicate: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function describeBusContract(name: string, connect: () => Promise<{ publisher: Bus; subscriber: Bus }>): void {
  describe(`Bus contract: ${name}`, () => {
    const opened: Bus[] = [];
    const ends = async () => {
      const pair = await connect();
      opened.push(pair.publisher, pair.subscriber);
      return pair;
    };
    afterEach(async () => {
      for (const bus of new Set(opened.splice(0))) await bus.close();
    });

    it('delivers a run’s events, in order, to its subscribers once subscribed, and nothing after unsubscribing', async () => {
      const { publisher, subscriber } = await ends();
      const got: number[] = [];
      const other: number[] = [];
      const stop = await subscriber.subscribeRun('r1', (runId, events) => {
        expect(runId).toBe('r1');
        got.push(...events.map((e) => e.seq));
      });
      await subscriber.subscribeRun('r2', (_, events) => other.push(...events.map((e) => e.seq)));
      for (let seq = 1; seq <= 200; seq += 2) publisher.publishRunEvents('r1', [ev(seq), ev(seq + 1)]);
      publisher.publishRunEvents('r2', [ev(1)]);
      await eventually(() => got.length === 200 && other.length === 1);
      expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      stop();
      publisher.publishRunEvents('r1', [ev(201)]);
      publisher.publishRunEvents('r2', [ev(2)]);
      await eventually(() => other.length === 2);
      expect(got).toHaveLength(200);
    });

    it('has every listener of a run subscribing at once in place when its subscribe resolves', async () => {
      const { publisher, subscriber } = await ends();
      const got = [[] as number[], [] as number[], [] as number[]];
      await Promise.all(
        got.map((list) => subscriber.subscribeRun('same', (_, events) => list.push(...events.map((e) => e.seq)))),
      );
      publisher.publishRunEvents('same', [ev(1)]);
      await eventually(() => got.every((list) => list.length === 1));
      expect(got).toEqual([[1], [1], [1]]);
    });

    it('carries events whole (fields, nested data)', async () => {
      const { publisher, subscriber } = await ends();
      const received: RunEvent[] = [];
      await subscriber.subscribeRun('r', (_, events) => received.push(...events));
      const event: RunEvent = { seq: 1, type: 'step.completed', at: 5, nodeId: 'a', token: 2, data: { output: { x: [1, 'é'] } } };
      publisher.publishRunEvents('r', [event]);
      await eventually(() => received.length === 1);
      expect(received[0]).toEqual(event);
    });

    it('wakes every wake subscriber, with the run or the timer it is about', async () => {
      const { publisher, subscriber } = await ends();
      const first: Wake[] = [];
      const second: Wake[] = [];
      await subscriber.subscribeWake((wake) => first.push(wake));
      const stop = await subscriber.subscribeWake((wake) => second.push(wake));
      publisher.publishWake({ runId: 'r' });
      publisher.publishWake({ timerAt: 123 });
      await eventually(() => first.length === 2 && second.length === 2);
      expect(first).toEqual([{ runId: 'r' }, { timerAt: 123 }]);
      stop();
      publisher.publishWake({ runId: 's' });
      await eventually(() => first.length === 3);
      expect(second).toHaveLength(2);
    });

    it("carries a run's live events to its live listeners only, apart from its stored events", async () => {
      const { publisher, subscriber } = await ends();
      const live: LiveEvent[] = [];
      const stored: RunEvent[] = [];
      const text = (t: string): LiveEvent => ({ type: 'step.text', live: true, at: 1, nodeId: 'ask', attempt: 1, text: t });
      const stop = await subscriber.subscribeLive('r', (runId, event) => {
        expect(runId).toBe('r');
        live.push(event);
      });
      await subscriber.subscribeRun('r', (_, events) => stored.push(...events));
      publisher.publishLive('r', text('Hel'));
      publisher.publishLive('other', text('not for r'));
      publisher.publishRunEvents('r', [ev(1)]);
      publisher.publishLive('r', text('lo'));
      await eventually(() => live.length === 2 && stored.length === 1);
      expect(live.map((e) => e.text)).toEqual(['Hel', 'lo']);
      expect(live[0]).toEqual(text('Hel'));
      expect(stored).toEqual([ev(1)]);
      stop();
      publisher.publishLive('r', text('!'));
      publisher.publishRunEvents('r', [ev(2)]);
      await eventually(() => stored.length === 2);
      expect(live).toHaveLength(2);
    });
  });
}
