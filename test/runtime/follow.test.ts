/** F2.10: read a run's log from any sequence number, then follow it live — no gap, no duplicate. */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import type { Bus } from '../../src/bus/bus.js';
import { createMemoryBus } from '../../src/bus/memory/memory-bus.js';
import type { RunEvent } from '../../src/engine/types.js';
import { closeAll, isWaiting, linearFlow, openRunloom, STORE_KINDS, sleep } from './support.js';

const tick = defineAction({
  name: 'test.tick',
  input: z.object({ i: z.number() }),
  async run({ i }) {
    await sleep(1);
    return { i };
  },
});

const STEPS = 60;
const tickFlow = linearFlow(
  'ticks',
  Array.from({ length: STEPS }, (_, i) => ({ id: `t${i}`, type: 'task', action: 'test.tick', input: { i }, output: `t${i}` })),
);

async function collect(events: AsyncIterable<RunEvent>, slow = false): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) {
    out.push(event);
    if (slow) await sleep(2);
  }
  return out;
}

function expectContiguous(events: readonly RunEvent[], after: number): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => after + 1 + i));
}

afterEach(closeAll);

describe.each(STORE_KINDS)('follow (%s store)', (kind) => {
  it('reads from seq N, then follows live while the run progresses, with nothing missed or repeated', async () => {
    const runloom = await openRunloom(kind, [tick]);
    await runloom.flows.publish(tickFlow);
    const run = await runloom.runs.start('ticks', {});

    const followers: { after: number; events: Promise<RunEvent[]>; startedWhile: string }[] = [];
    for (const [reached, after, slow] of [
      [0, 0, false],
      [10, 3, false],
      [40, 35, true],
      [70, 70, false],
      [90, 20, true],
    ] as const) {
      const state = await runloom.runs.state(run.id);
      if (state.eventSeq < reached) await runloom.runs.wait(run.id, (s) => s.eventSeq >= reached);
      const now = await runloom.runs.state(run.id);
      followers.push({ after, events: collect(runloom.runs.follow(run.id, { after }), slow), startedWhile: now.status });
    }

    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    // Every follower joined a run that was still going: the live half was really exercised.
    expect(followers.map((f) => f.startedWhile)).toEqual(followers.map(() => 'running'));
    for (const follower of followers) {
      const events = await follower.events;
      const stored = await runloom.runs.events(run.id, follower.after);
      expect(events).toEqual(stored);
      expectContiguous(events, follower.after);
      expect(events.at(-1)?.type).toBe('run.completed');
    }
    // One step.started and one step.completed per task in the log itself.
    const all = await runloom.runs.events(run.id);
    expect(all.filter((e) => e.type === 'step.completed')).toHaveLength(STEPS);
  });

  it('replays a finished run and stops at its final event', async () => {
    const runloom = await openRunloom(kind, [tick]);
    await runloom.flows.publish(tickFlow);
    const run = await runloom.runs.start('ticks', {});
    await runloom.runs.wait(run.id);
    const all = await runloom.runs.events(run.id);
    const tail = await collect(runloom.runs.follow(run.id, { after: all.length - 5 }));
    expect(tail).toEqual(all.slice(-5));
  });

  it('follows a parked run across its eviction and reload: the signal’s events arrive live', async () => {
    const runloom = await openRunloom(kind, [tick]);
    await runloom.flows.publish(
      linearFlow('parked', [
        { id: 'first', type: 'task', action: 'test.tick', input: { i: 1 } },
        { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
        { id: 'second', type: 'task', action: 'test.tick', input: { i: 2 } },
      ]),
    );
    const run = await runloom.runs.start('parked', {});
    await runloom.runs.wait(run.id, isWaiting);
    const parkedSeq = (await runloom.runs.state(run.id)).eventSeq;
    const followed = collect(runloom.runs.follow(run.id, { after: 1 }));
    await sleep(20);
    await runloom.runs.signal(run.id, 'go', { ok: true });
    expect((await runloom.runs.wait(run.id)).status).toBe('completed');
    const events = await followed;
    expect(events).toEqual(await runloom.runs.events(run.id, 1));
    expectContiguous(events, 1);
    expect(events.filter((e) => e.seq > parkedSeq).length).toBeGreaterThan(3);
    expect(events.map((e) => e.type)).toContain('signal.received');
  });

  it('stops when its AbortSignal fires', async () => {
    const runloom = await openRunloom(kind, [tick]);
    await runloom.flows.publish(linearFlow('held', [{ id: 'gate', type: 'wait', signal: 'go' }]));
    const run = await runloom.runs.start('held', {});
    await runloom.runs.wait(run.id, isWaiting);
    const controller = new AbortController();
    const followed = collect(runloom.runs.follow(run.id, { signal: controller.signal }));
    await sleep(20);
    controller.abort();
    const events = await followed;
    expect(events).toEqual(await runloom.runs.events(run.id));
  });
});

describe('follow over a bus that loses messages', () => {
  it('still sees every event, in order, and the end: a follower reads the store when the bus is silent', async () => {
    const memory = createMemoryBus();
    // Delivers every other batch only, and never the last ones: as a Redis subscriber might
    // while reconnecting, or when the publishing worker dies between commit and publish.
    let published = 0;
    const lossy: Bus = {
      ...memory,
      publishRunEvents(runId, events) {
        published++;
        if (published % 2 === 0 && !events.some((e) => e.type === 'run.completed')) memory.publishRunEvents(runId, events);
      },
    };
    const runloom = await openRunloom('memory', [tick], { bus: lossy });
    await runloom.flows.publish(tickFlow);
    const run = await runloom.runs.start('ticks', {});
    const events = await collect(runloom.runs.follow(run.id, { pollMs: 25 }));
    expectContiguous(events, 0);
    expect(events.at(-1)?.type).toBe('run.completed');
    expect(events).toEqual(await runloom.runs.events(run.id));
  });
});
