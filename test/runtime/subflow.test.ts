/** F2.7: a subflow starts a child run — a real run with its own id, log and parent link — whose output comes back. */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { closeAll, forkJoinFlow, isWaiting, linearFlow, openRunloom, STORE_KINDS } from './support.js';

const shout = defineAction({
  name: 'test.shout',
  input: z.object({ text: z.string() }),
  run: ({ text }) => ({ text: text.toUpperCase() }),
});

const parentFlow = linearFlow(
  'parent',
  [
    { id: 'prep', type: 'task', action: 'test.shout', input: { text: '=input.who' }, output: 'prep' },
    { id: 'call', type: 'subflow', flow: 'child', input: { text: "='hi ' & vars.prep.text" }, output: 'child' },
  ],
  { defaults: { limits: { maxSteps: 50 } } },
);
const childFlow = linearFlow(
  'child',
  [{ id: 'loud', type: 'task', action: 'test.shout', input: { text: '=input.text' }, output: 'loud' }],
  {
    inputs: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    output: "={ 'said': vars.loud.text }",
  },
);

afterEach(closeAll);

describe.each(STORE_KINDS)('subflows (%s store)', (kind) => {
  it('runs the child as a real run and brings its output back', async () => {
    const runloom = await openRunloom(kind, [shout]);
    await runloom.flows.publishAll([{ source: childFlow }, { source: parentFlow }]);
    const parent = await runloom.runs.start('parent', { who: 'ada' });
    const done = await runloom.runs.wait(parent.id);
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ prep: { text: 'ADA' }, child: { said: 'HI ADA' } });

    const children = await runloom.runs.list({ parentRunId: parent.id });
    expect(children).toHaveLength(1);
    const child = await runloom.runs.get(children[0].id);
    expect(child.id).not.toBe(parent.id);
    expect(child).toMatchObject({
      flowId: 'child',
      parentRunId: parent.id,
      status: 'completed',
      input: { text: 'hi ADA' },
      output: { said: 'HI ADA' },
    });
    // Limits drawn from the parent's: what the parent had left when the child started.
    expect(child.limits.maxSteps).toBeLessThanOrEqual(50 - 2);

    // Each run has its own log, numbered from 1.
    const childEvents = await runloom.runs.events(child.id);
    expect(childEvents[0]).toMatchObject({ seq: 1, type: 'run.started', data: { input: { text: 'hi ADA' } } });
    expect(childEvents.at(-1)?.type).toBe('run.completed');
    const parentTypes = (await runloom.runs.events(parent.id)).map((e) => e.type);
    expect(parentTypes).toContain('child.started');
    expect(parentTypes).toContain('child.completed');
    expect(parentTypes).not.toContain('step.failed');
    expect((await runloom.runs.steps(child.id)).map((r) => r.nodeId)).toEqual(['loud']);
    // The parent's usage includes the child's steps.
    expect(done.usage.steps).toBeGreaterThan(child.usage.steps);
  });

  it('a child that waits can be signalled on its own id; cancelling the parent cancels the child', async () => {
    const runloom = await openRunloom(kind, [shout]);
    await runloom.flows.publishAll([
      { source: linearFlow('slow-child', [{ id: 'gate', type: 'wait', signal: 'go', output: 'gate' }]) },
      {
        source: linearFlow('two-children', [
          { id: 'first', type: 'subflow', flow: 'slow-child', output: 'first' },
          { id: 'second', type: 'subflow', flow: 'slow-child', output: 'second' },
        ]),
      },
    ]);
    const parent = await runloom.runs.start('two-children', {});
    const firstChild = await waitForChild(runloom, parent.id, 1);
    await runloom.runs.wait(firstChild, isWaiting);
    await runloom.runs.signal(firstChild, 'go', { n: 1 });
    expect((await runloom.runs.wait(firstChild)).status).toBe('completed');

    const secondChild = await waitForChild(runloom, parent.id, 2);
    await runloom.runs.wait(secondChild, isWaiting);
    expect((await runloom.runs.get(parent.id)).vars).toEqual({ first: { gate: { n: 1 } } });

    await runloom.runs.cancel(parent.id);
    const cancelled = await runloom.runs.wait(secondChild);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.reason).toBe('parent_cancelled');
    expect((await runloom.runs.get(parent.id)).status).toBe('cancelled');
  });

  it('a failing child fails the parent’s step with the child’s error', async () => {
    const runloom = await openRunloom(kind, [shout]);
    await runloom.flows.publishAll([
      { source: childFlow },
      { source: linearFlow('bad-parent', [{ id: 'call', type: 'subflow', flow: 'child', input: { text: 42 } }]) },
    ]);
    const parent = await runloom.runs.start('bad-parent', {});
    const done = await runloom.runs.wait(parent.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('INPUT_INVALID');
  });
});

async function waitForChild(runloom: Runloom, parentId: string, count: number): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const children = await runloom.runs.list({ parentRunId: parentId, order: 'oldest' });
    if (children.length >= count) return children[count - 1].id;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`child ${count} of ${parentId} never started`);
}

describe('subflow recovery (SQLite file, restarted process)', () => {
  it('a parent stopped before its child’s first checkpoint starts the child on restart, while another branch waits for a signal', async () => {
    // The first process commits the parent's checkpoint (child pending, the other branch parked
    // on a signal) but never gets to create the child: its child lookup hangs, as if the
    // process died right there.
    const first = await openRunloom('sqlite', [shout], {}, (store) => ({
      ...store,
      findChildRun: () => new Promise<undefined>(() => {}),
    }));
    await first.flows.publish(childFlow);
    await first.flows.publish(
      forkJoinFlow('both', [
        { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
        { id: 'call', type: 'subflow', flow: 'child', input: { text: 'quiet' }, output: 'child' },
      ]),
    );
    const run = await first.runs.start('both', {});
    const parked = await first.runs.wait(run.id, isWaiting);
    expect(await first.runs.list({ parentRunId: run.id })).toEqual([]);
    expect(parked.status).toBe('waiting');
    await first.close();

    const second = await createRunloom({ store: first.path as string, actions: [shout] });
    try {
      expect(second.recovered).toBe(1);
      const child = await waitForChild(second, run.id, 1);
      expect((await second.runs.wait(child)).status).toBe('completed');
      await second.runs.signal(run.id, 'go', { ok: true });
      const done = await second.runs.wait(run.id);
      expect(done.status).toBe('completed');
      expect(done.vars.child).toEqual({ said: 'QUIET' });
    } finally {
      await second.close();
    }
  });
});
