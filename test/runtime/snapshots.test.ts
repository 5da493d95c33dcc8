/**
 * A run's state is written at snapshots, not at every step: the log carries the steps between
 * them, and whoever loads the run folds that tail into the last snapshot. Seen on a real SQLite
 * file: the row lags while the run goes on, a fresh process picks the run up exactly where the
 * log says, and readers in the meantime see the folded state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createRunloom } from '../../src/runloom.js';
import { SNAPSHOT_EVERY } from '../../src/runtime/checkpoint.js';
import { openStore } from '../../src/store/index.js';
import { closeAll, linearFlow, openRunloom, sleep } from './support.js';

afterEach(closeAll);

const STEPS = 30;

function actions(executed: string[], holdAt: number | undefined) {
  return [
    defineAction({
      name: 'test.count',
      input: z.object({ i: z.number() }),
      run: ({ i }) => {
        executed.push(`s${i}`);
        // Never answers: the run stays in flight there until its process goes away.
        return i === holdAt ? new Promise<never>(() => {}) : { i };
      },
    }),
  ];
}

const steps = Array.from({ length: STEPS }, (_, i) => ({
  id: `s${i}`,
  type: 'task',
  action: 'test.count',
  input: { i },
  output: `s${i}`,
}));

describe('snapshots (sqlite store)', () => {
  it('writes the row at snapshots only, and a fresh process folds the log after it and goes on from there', async () => {
    const executed: string[] = [];
    const first = await openRunloom('sqlite', actions(executed, 20));
    await first.flows.publish(linearFlow('long', steps));
    const run = await first.runs.start('long', {});
    while (!executed.includes('s20')) await sleep(5);
    await sleep(20);

    const path = first.path as string;
    const peek = openStore(path);
    await peek.init();
    const row = await peek.loadRun(run.id);
    const log = await peek.readEvents(run.id);
    await peek.close();
    // 20 steps done, about 40 events: the row holds the created state only, well behind the log.
    expect(log.length).toBeGreaterThan(40);
    expect(row?.eventSeq).toBeLessThan(log.length);
    expect(log.length - (row?.eventSeq ?? 0)).toBeLessThanOrEqual(SNAPSHOT_EVERY + 3);
    // Readers see the folded state, not the row: here, where the run is in memory, and in a
    // process that only reads the file (its read loads the snapshot and folds the log after it).
    const read = await first.runs.state(run.id);
    expect(read.eventSeq).toBe(log.length);
    expect(Object.keys(read.vars)).toHaveLength(20);
    const reader = await createRunloom({ store: openStore(path), actions: actions([], undefined), recover: false });
    try {
      const folded = await reader.runs.state(run.id);
      expect(folded.eventSeq).toBe(log.length);
      expect(folded).toEqual(read);
    } finally {
      await reader.close();
    }

    await first.close(); // as a crash would leave it: s20 in flight, nothing more written
    const again: string[] = [];
    const second = await createRunloom({ store: openStore(path), actions: actions(again, undefined) });
    try {
      expect(second.recovered).toBe(1);
      const done = await second.runs.wait(run.id);
      expect(done.status).toBe('completed');
      expect(Object.keys(done.vars)).toHaveLength(STEPS);
      // The fold put the run at s20: nothing before it ran again.
      expect(again).toEqual(Array.from({ length: STEPS - 20 }, (_, i) => `s${i + 20}`));
      const events = await second.runs.events(run.id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'step.completed')).toHaveLength(STEPS);
      expect((await second.runs.steps(run.id)).map((s) => s.nodeId)).toEqual(steps.map((s) => s.id));
    } finally {
      await second.close();
    }
    // A finished run's row is a snapshot: it loads with nothing to fold.
    const last = openStore(path);
    await last.init();
    const final = await last.loadRun(run.id);
    expect(final?.status).toBe('completed');
    expect(await last.readEvents(run.id, final?.eventSeq)).toEqual([]);
    await last.close();
  });
});
