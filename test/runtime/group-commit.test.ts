/** Group commit: many runs' checkpoints share one store transaction; none is lost or merged wrongly. */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { closeAll, linearFlow, openRunloom, STORE_KINDS } from './support.js';

const double = defineAction({
  name: 'test.double',
  input: z.object({ x: z.number() }),
  run: ({ x }) => ({ x: x * 2 }),
});

const RUNS = 1000;

afterEach(closeAll);

describe.each(STORE_KINDS)('group commit (%s store)', (kind) => {
  const title =
    kind === 'memory'
      ? `${RUNS} concurrent runs all complete, each checkpoint written as it is made (no write to share)`
      : `${RUNS} concurrent runs all complete in far fewer transactions than steps`;
  it(title, async () => {
    const runloom = await openRunloom(kind, [double], { durability: 'strict' });
    await runloom.flows.publish(
      linearFlow(
        'doubler',
        [
          { id: 'a', type: 'task', action: 'test.double', input: { x: '=input.x' }, output: 'a' },
          { id: 'b', type: 'task', action: 'test.double', input: { x: '=vars.a.x' }, output: 'b' },
        ],
        { inputs: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
      ),
    );
    const before = { ...runloom.calls };
    const started = await Promise.all(Array.from({ length: RUNS }, (_, x) => runloom.runs.start('doubler', { x })));
    const done = await Promise.all(started.map((run) => runloom.runs.wait(run.id)));

    expect(done.every((run) => run.status === 'completed')).toBe(true);
    expect(done.map((run) => run.vars)).toEqual(done.map((_, x) => ({ a: { x: 2 * x }, b: { x: 4 * x } })));

    // Every run's own log is whole: started, 2 steps, completed.
    for (const run of started.slice(0, 50)) {
      const types = (await runloom.runs.events(run.id)).map((e) => e.type);
      expect(types.filter((t) => t === 'step.completed')).toHaveLength(2);
      expect(types.at(-1)).toBe('run.completed');
    }
    expect(await runloom.runs.list({ status: ['completed'], flowId: 'doubler' })).toHaveLength(RUNS);

    const commits = runloom.calls.commits - before.commits;
    const checkpoints = runloom.calls.checkpoints - before.checkpoints;
    // One checkpoint per transition: the start, and one per step result.
    expect(checkpoints).toBe(RUNS * 3);
    if (kind === 'memory') {
      // The memory store commits synchronously: one checkpoint per commit, none waiting.
      expect(commits).toBe(checkpoints);
      expect(runloom.calls.maxBatch).toBe(1);
      return;
    }
    expect(commits).toBeLessThan(checkpoints / 20);
    expect(runloom.calls.maxBatch).toBeGreaterThan(100);
    console.log(
      `[group commit ${kind}] ${checkpoints} checkpoints in ${commits} transactions (largest batch ${runloom.calls.maxBatch})`,
    );
  });
});
