/** Step rows (written with each checkpoint) and retries with backoff on real timers (F2.5, F2.6). */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { closeAll, linearFlow, openRunloom, STORE_KINDS } from './support.js';

const greet = defineAction({
  name: 'test.greet',
  input: z.object({ name: z.string() }),
  run: ({ name }, ctx) => ({ text: `hello ${name}`, key: ctx.idempotencyKey }),
});

/** Fails (retryably) until its third attempt; remembers when each attempt ran. */
function flakyAction(calls: { attempt: number; at: number; key: string }[]) {
  return defineAction({
    name: 'test.flaky',
    input: z.object({ n: z.number() }),
    async run({ n }, ctx) {
      calls.push({ attempt: ctx.attempt, at: Date.now(), key: ctx.idempotencyKey });
      if (ctx.attempt < 3) throw Object.assign(new Error(`flaky attempt ${ctx.attempt}`), { code: 'FLAKY' });
      return { n, attempt: ctx.attempt };
    },
  });
}

afterEach(closeAll);

describe.each(STORE_KINDS)('steps (%s store)', (kind) => {
  it('writes one step row per execution with its input, output and attempt', async () => {
    const runloom = await openRunloom(kind, [greet]);
    await runloom.flows.publish(
      linearFlow(
        'greeter',
        [
          { id: 'first', type: 'task', action: 'test.greet', input: { name: '=input.who' }, output: 'first' },
          { id: 'second', type: 'task', action: 'test.greet', input: { name: '=vars.first.text' }, output: 'second' },
        ],
        { inputs: { type: 'object', properties: { who: { type: 'string' } } } },
      ),
    );
    const run = await runloom.runs.start('greeter', { who: 'ada' });
    expect((await runloom.runs.wait(run.id)).status).toBe('completed');

    const rows = await runloom.runs.steps(run.id);
    expect(rows).toHaveLength(2);
    expect(
      rows.map(({ runId, nodeId, branch, attempt, status, input, output }) => ({
        runId,
        nodeId,
        branch,
        attempt,
        status,
        input,
        output,
      })),
    ).toEqual([
      {
        runId: run.id,
        nodeId: 'first',
        branch: '0',
        attempt: 1,
        status: 'completed',
        input: { name: 'ada' },
        output: { text: 'hello ada', key: `${run.id}:first:1:0` },
      },
      {
        runId: run.id,
        nodeId: 'second',
        branch: '0',
        attempt: 1,
        status: 'completed',
        input: { name: 'hello ada' },
        output: { text: 'hello hello ada', key: `${run.id}:second:1:0` },
      },
    ]);
    for (const row of rows) expect(row.endedAt).toBeGreaterThanOrEqual(row.startedAt);
    expect(rows[0].seq).toBeLessThan(rows[1].seq);
  });

  it('retries a failing step after its backoff on real timers, and records every attempt', async () => {
    const calls: { attempt: number; at: number; key: string }[] = [];
    const runloom = await openRunloom(kind, [flakyAction(calls)]);
    await runloom.flows.publish(
      linearFlow('flaky', [
        {
          id: 'flaky',
          type: 'task',
          action: 'test.flaky',
          input: { n: 7 },
          output: 'result',
          retry: { maxAttempts: 3, backoff: 'exponential', initialDelay: '150ms', factor: 2, maxDelay: '1s' },
        },
      ]),
    );
    const run = await runloom.runs.start('flaky', {});
    // While it backs off the run waits for its retry timer (and may leave memory meanwhile).
    const backingOff = await runloom.runs.wait(run.id, (s) => s.reason === 'waiting_for_retry');
    expect(backingOff.status).toBe('waiting');
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ result: { n: 7, attempt: 3 } });

    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.key)).toEqual([`${run.id}:flaky:1:0`, `${run.id}:flaky:2:0`, `${run.id}:flaky:3:0`]);
    // Exponential: 150 ms, then 300 ms (a timer never fires early; allow clock rounding).
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(148);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(298);
    expect(calls[2].at - calls[0].at).toBeLessThan(3_000);

    const rows = await runloom.runs.steps(run.id);
    expect(rows.map((r) => [r.attempt, r.status, r.error?.code ?? null, r.output ?? null])).toEqual([
      [1, 'failed', 'FLAKY', null],
      [2, 'failed', 'FLAKY', null],
      [3, 'completed', null, { n: 7, attempt: 3 }],
    ]);
    for (const row of rows) expect(row.input).toEqual({ n: 7 });
    const retrying = (await runloom.runs.events(run.id)).filter((e) => e.type === 'step.retrying');
    expect(retrying.map((e) => e.data)).toEqual([
      { attempt: 2, delay: 150, error: 'FLAKY' },
      { attempt: 3, delay: 300, error: 'FLAKY' },
    ]);
  });

  it('fails the run when the attempts are spent, and a user retry runs the step again', async () => {
    const calls: { attempt: number; at: number; key: string }[] = [];
    const runloom = await openRunloom(kind, [flakyAction(calls)]);
    await runloom.flows.publish(
      linearFlow('flaky-once', [
        { id: 'flaky', type: 'task', action: 'test.flaky', input: { n: 1 }, retry: { maxAttempts: 2, initialDelay: '10ms' } },
      ]),
    );
    const run = await runloom.runs.start('flaky-once', {});
    const failed = await runloom.runs.wait(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('FLAKY');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);

    await runloom.runs.retry(run.id, 'flaky');
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect((await runloom.runs.steps(run.id)).map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'completed'],
    ]);
  });
});
