import { describe, expect, it } from 'vitest';
import { failure, flow, HOLD, startRun } from './driver.js';

const flaky = (retry: string, actionRetry?: object) =>
  flow(
    `
format: runloom/v1
id: flaky
nodes:
  - { id: start, type: start }
  - { id: prep, type: task, action: prep, output: n }
  - { id: call, type: task, action: call, input: { n: "=vars.n" }, output: result ${retry ? `, retry: ${retry}` : ''} }
  - { id: done, type: end }
edges: [{ from: start, to: prep }, { from: prep, to: call }, { from: call, to: done }]
`,
    { prep: () => 1, call: actionRetry ? { run: () => HOLD, retry: actionRetry } : () => HOLD },
  );

describe('retries with backoff', () => {
  it('exponential backoff: timer.start with initialDelay * factor^(n-1), capped at maxDelay', () => {
    const run = startRun(flaky('{ maxAttempts: 5, backoff: exponential, initialDelay: 1s, maxDelay: 3s, factor: 2 }'), { at: 0 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      run.tick(500); // the step runs for a while before failing
      const failedAt = run.now;
      run.fail('call', failure('FLAKY'));
      const timer = run.effectsOf('timer.start').at(-1)!;
      delays.push(timer.fireAt - failedAt);
      expect(run.state.reason).toBe('waiting_for_retry');
      run.tick(timer.fireAt - run.now);
    }
    expect(delays).toEqual([1000, 2000, 3000, 3000]);
    expect(run.eventsOf('step.retrying').map((e) => e.data)).toEqual([
      { attempt: 2, delay: 1000, error: 'FLAKY' },
      { attempt: 3, delay: 2000, error: 'FLAKY' },
      { attempt: 4, delay: 3000, error: 'FLAKY' },
      { attempt: 5, delay: 3000, error: 'FLAKY' },
    ]);
    run.complete('call', 'ok');
    expect(run.state.steps.call).toMatchObject({ status: 'completed', output: 'ok', attempt: 5 });
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.steps).toBe(2); // retries are attempts of one step, not new steps
    expect(run.replayed()).toEqual(run.state);
  });

  it('the idempotency key is runId:nodeId:attempt:branch and changes per attempt; the input is kept', () => {
    const run = startRun(flaky('{ maxAttempts: 3, backoff: fixed, initialDelay: 2s }'));
    run.fail('call', failure('FLAKY'));
    run.tick(2000);
    run.fail('call', failure('FLAKY'));
    run.tick(2000);
    const calls = run.effectsOf('step.execute').filter((e) => e.nodeId === 'call');
    expect(calls.map((e) => [e.attempt, e.idempotencyKey, e.input])).toEqual([
      [1, 'run-1:call:1:0', { n: 1 }],
      [2, 'run-1:call:2:0', { n: 1 }],
      [3, 'run-1:call:3:0', { n: 1 }],
    ]);
    expect(run.effectsOf('timer.start').map((t) => t.fireAt)).toEqual([2000, 4000]);
  });

  it('a non-retryable error is not retried', () => {
    const run = startRun(flaky('{ maxAttempts: 5 }'));
    run.fail('call', failure('CARD_DECLINED', false));
    expect(run.count('step.retrying')).toBe(0);
    expect(run.effectsOf('timer.start')).toEqual([]);
    expect(run.state.status).toBe('failed');
    expect(run.state.steps.call).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'CARD_DECLINED' } });
  });

  it('fails the step once maxAttempts are spent', () => {
    const run = startRun(flaky('{ maxAttempts: 2, initialDelay: 100ms }'));
    run.fail('call', failure('FLAKY'));
    run.tick(100);
    run.fail('call', failure('FLAKY'));
    expect(run.state.status).toBe('failed');
    expect(run.state.steps.call).toMatchObject({ status: 'failed', attempt: 2 });
    expect(run.count('step.retrying')).toBe(1);
  });

  it("without a node policy the action's retry applies", () => {
    const run = startRun(flaky('', { maxAttempts: 2, initialDelay: 5000 }));
    run.fail('call', failure('FLAKY'));
    expect(run.effectsOf('timer.start').map((t) => t.fireAt)).toEqual([5000]);
  });

  it('the default policy is one attempt', () => {
    const run = startRun(flaky(''));
    run.fail('call', failure('FLAKY'));
    expect(run.state.status).toBe('failed');
  });

  it('a handler that throws a plain Error fails the step as retryable', () => {
    let calls = 0;
    const run = startRun(
      flow(
        `
format: runloom/v1
id: throws
nodes:
  - { id: start, type: start }
  - { id: call, type: task, action: call, retry: { maxAttempts: 3, initialDelay: 1s } }
  - { id: done, type: end }
edges: [{ from: start, to: call }, { from: call, to: done }]
`,
        {
          call: () => {
            calls++;
            if (calls < 3) throw new Error('network');
            return 'ok';
          },
        },
      ),
    );
    run.tick(10_000);
    expect(calls).toBe(3);
    expect(run.state.status).toBe('completed');
    expect(run.state.steps.call.attempt).toBe(3);
  });
});

describe('retries and the rest of the run', () => {
  const twoFlaky = (defaults: string) =>
    flow(
      `
format: runloom/v1
id: two-flaky
defaults: ${defaults}
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: t, retry: { maxAttempts: 3, backoff: fixed, initialDelay: 1s } }
  - { id: b, type: task, action: t, retry: { maxAttempts: 3, backoff: fixed, initialDelay: 0 } }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges: [{ from: start, to: fork }, { from: fork, to: a }, { from: fork, to: b }, { from: a, to: join }, { from: b, to: join }, { from: join, to: done }]
`,
      { t: () => HOLD },
    );

  it('a retry never exceeds maxParallel: it waits for a free slot', () => {
    const run = startRun(twoFlaky('{ limits: { maxParallel: 1 } }'));
    expect(run.started()).toEqual(['a']);
    run.fail('a', failure('FLAKY')); // a waits 1s for its retry: the slot goes to b
    expect(run.started()).toEqual(['a', 'b']);
    run.tick(1000); // a's retry is due while b holds the only slot
    expect(run.steps.size).toBe(1);
    expect(run.peakSteps).toBe(1);
    run.complete('b', 'B');
    expect(run.effectsOf('step.execute').at(-1)).toMatchObject({ nodeId: 'a', attempt: 2 });
    run.complete('a', 'A');
    expect(run.state.status).toBe('completed');
    expect(run.peakSteps).toBe(1);
    expect(run.replayed()).toEqual(run.state);
  });

  it('a paused run starts no new attempt; the due retry runs when the run resumes', () => {
    const run = startRun(twoFlaky('{}'));
    run.fail('a', failure('FLAKY'));
    run.pause();
    run.tick(5000);
    run.fail('b', failure('FLAKY')); // no delay, but paused: b waits too
    expect(run.steps.size).toBe(0);
    expect(run.effectsOf('step.execute')).toHaveLength(2);
    run.resume();
    expect(
      run
        .effectsOf('step.execute')
        .slice(2)
        .map((e) => [e.nodeId, e.attempt]),
    ).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
    run.complete('a', 'A');
    run.complete('b', 'B');
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });
});

describe('retries and run limits', () => {
  const paid = (limits: string) =>
    flow(
      `
format: runloom/v1
id: paid
defaults: { limits: ${limits}, onLimit: pause }
nodes:
  - { id: start, type: start }
  - { id: call, type: task, action: call, cost: 40, retry: { maxAttempts: 5, backoff: fixed, initialDelay: 1s } }
  - { id: done, type: end }
edges: [{ from: start, to: call }, { from: call, to: done }]
`,
      { call: () => HOLD },
    );

  it('regression: a retry that would cross maxCredits does not start; the run pauses and goes on once raised', () => {
    const run = startRun(paid('{ maxCredits: 100 }'), { at: 0 });
    run.fail('call', failure('FLAKY'), 40);
    run.tick(1000);
    run.fail('call', failure('FLAKY'), 40);
    run.tick(1000);
    // 80 spent: a third attempt (estimate 40) would reach 120.
    expect(run.effectsOf('step.execute')).toHaveLength(2);
    expect(run.state.status).toBe('paused');
    expect(run.state.reason).toBe('max_credits');
    expect(run.state.usage.credits).toBe(80);
    run.raise({ maxCredits: 200 });
    run.resume();
    expect(run.effectsOf('step.execute').map((e) => e.attempt)).toEqual([1, 2, 3]);
    run.complete('call', 'ok', 40);
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('regression: a retry does not start once the first attempt has used up maxTime (the backoff wait itself is not active time)', () => {
    const run = startRun(paid('{ maxTime: 1500ms }'), { at: 0 });
    run.tick(1600); // the first attempt runs past the limit, then fails
    run.fail('call', failure('FLAKY'));
    run.tick(1000);
    expect(run.effectsOf('step.execute')).toHaveLength(1);
    expect(run.state.status).toBe('paused');
    expect(run.state.reason).toBe('max_time');
  });
});
