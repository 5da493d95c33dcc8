import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ActionContext, defineAction } from '../../src/actions/action.js';
import { createActionRegistry, estimateCost } from '../../src/actions/registry.js';
import { StepContext } from '../../src/actions/step-context.js';
import { RunloomError } from '../../src/errors.js';
import { testStep } from './step.js';

const lookup = defineAction({
  name: 'crm.lookup',
  input: z.object({ email: z.email(), items: z.array(z.object({ sku: z.string() })).default([]) }),
  output: z.object({ id: z.string() }),
  cost: (input) => 1 + input.items.length,
  run: ({ email }) => ({ id: `cust:${email}` }),
});

/** An action that waits until its signal aborts, and hands the signal out. */
function waitForAbort(seen: AbortSignal[], timeout?: number) {
  return defineAction({
    name: 'wait.abort',
    input: z.unknown(),
    timeout,
    run: (_input, ctx) =>
      new Promise<never>((_resolve, reject) => {
        seen.push(ctx.signal);
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted inside')));
      }),
  });
}

async function rejection(promise: Promise<unknown>): Promise<RunloomError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunloomError);
  return error as RunloomError;
}

describe('registry: catalog', () => {
  it('registers, finds and lists actions in registration order', () => {
    const other = defineAction({ name: 'noop', input: z.unknown(), run: () => null });
    const registry = createActionRegistry([lookup]);
    registry.register(other);
    expect(registry.has('crm.lookup')).toBe(true);
    expect(registry.get('noop')).toBe(other);
    expect(registry.has('nope')).toBe(false);
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.list().map((a) => a.name)).toEqual(['crm.lookup', 'noop']);
  });

  it('refuses a duplicate name', () => {
    const registry = createActionRegistry([lookup]);
    expect(() => registry.register(lookup)).toThrow(expect.objectContaining({ code: 'ACTION_DUPLICATE' }));
    expect(() => createActionRegistry([lookup, lookup])).toThrow(/already registered/);
  });

  it('refuses a malformed definition', () => {
    const registry = createActionRegistry();
    expect(() => registry.register({ ...lookup, name: '' })).toThrow(expect.objectContaining({ code: 'ACTION_INVALID' }));
  });
});

describe('registry: invoke', () => {
  it('runs the action with the parsed input and returns its output', async () => {
    const registry = createActionRegistry([lookup]);
    const result = await registry.invoke('crm.lookup', { email: 'ada@example.com' }, testStep());
    expect(result).toEqual({ output: { id: 'cust:ada@example.com' }, cost: undefined });
  });

  it('rejects an unknown action as non-retryable', async () => {
    const error = await rejection(createActionRegistry().invoke('crm.nope', {}, testStep()));
    expect(error.code).toBe('UNKNOWN_ACTION');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('crm.nope');
  });

  it('names the action and every issue path when the input is invalid, without running it', async () => {
    let ran = false;
    const run = () => {
      ran = true;
      return { id: 'x' };
    };
    const registry = createActionRegistry([{ ...lookup, run }]);
    const error = await rejection(registry.invoke('crm.lookup', { email: 'nope', items: [{ sku: 3 }] }, testStep()));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('crm.lookup input.email: Invalid email');
    expect(error.message).toContain('crm.lookup input.items[0].sku:');
    expect(ran).toBe(false);
  });

  it('names the root when the whole input is wrong', async () => {
    const error = await rejection(createActionRegistry([lookup]).invoke('crm.lookup', 'ada', testStep()));
    expect(error.message).toMatch(/^crm\.lookup input: /);
  });

  it('validates the output against the output schema', async () => {
    const bad = defineAction({ ...lookup, name: 'crm.bad', run: () => ({ id: 42 }) as unknown as { id: string } });
    const error = await rejection(createActionRegistry([bad]).invoke('crm.bad', { email: 'a@b.co' }, testStep()));
    expect(error.code).toBe('OUTPUT_INVALID');
    expect(error.message).toContain('crm.bad output.id:');
  });

  it('validates the output of async actions too, and returns the parsed output', async () => {
    const trimmed = defineAction({
      name: 'trim',
      input: z.string(),
      output: z.string().trim(),
      run: async (s: string) => `  ${s}  `,
    });
    const result = await createActionRegistry([trimmed]).invoke('trim', 'hi', testStep());
    expect(result.output).toBe('hi');
  });

  it('gives the action its step identity, a log and a cost meter', async () => {
    let seen: ActionContext | undefined;
    const paid = defineAction({
      name: 'paid',
      input: z.unknown(),
      run: async (_input, ctx) => {
        seen = ctx;
        ctx.log('calling', { n: 1 }, 'debug');
        ctx.reportCost(2);
        ctx.reportCost(0.5);
        return 'ok';
      },
    });
    const step = testStep();
    const result = await createActionRegistry([paid]).invoke('paid', null, step);
    expect(result).toEqual({ output: 'ok', cost: 2.5 });
    expect(seen).toMatchObject({ runId: 'run-1', nodeId: 'node-a', attempt: 1, idempotencyKey: 'run-1:node-a:1:0' });
    expect(step.lines).toEqual([{ message: 'calling', data: { n: 1 }, level: 'debug' }]);
  });

  it('works without a log sink', async () => {
    const chatty = defineAction({ name: 'chatty', input: z.unknown(), run: (_i, ctx) => ctx.log('hi') ?? 1 });
    const { log: _omit, ...step } = testStep();
    await expect(createActionRegistry([chatty]).invoke('chatty', null, step)).resolves.toEqual({ output: 1, cost: undefined });
  });

  it('lets non-Runloom errors through unchanged, sync or async', async () => {
    const boom = new TypeError('boom');
    const sync = defineAction({
      name: 'sync.fail',
      input: z.unknown(),
      run: () => {
        throw boom;
      },
    });
    const later = defineAction({ name: 'async.fail', input: z.unknown(), run: async () => Promise.reject(boom) });
    const registry = createActionRegistry([sync, later]);
    await expect(registry.invoke('sync.fail', null, testStep())).rejects.toBe(boom);
    await expect(registry.invoke('async.fail', null, testStep())).rejects.toBe(boom);
    await expect(registry.invoke('sync.fail', null, testStep({ timeoutMs: 1000 }))).rejects.toBe(boom);
    await expect(registry.invoke('async.fail', null, testStep({ timeoutMs: 1000 }))).rejects.toBe(boom);
  });
});

describe('registry: timeout and cancellation', () => {
  it('aborts the step signal and rejects TIMEOUT (retryable) when the action runs too long', async () => {
    const seen: AbortSignal[] = [];
    const step = testStep({ timeoutMs: 30 });
    const error = await rejection(createActionRegistry([waitForAbort(seen)]).invoke('wait.abort', null, step));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('wait.abort');
    expect(seen[0].aborted).toBe(true);
    expect(step.signal.aborted).toBe(false);
  });

  it("uses the action's own timeout when the step sets none, and the step's when both do", async () => {
    const seen: AbortSignal[] = [];
    const registry = createActionRegistry([waitForAbort(seen, 20)]);
    const started = Date.now();
    expect((await rejection(registry.invoke('wait.abort', null, testStep()))).code).toBe('TIMEOUT');
    expect((await rejection(registry.invoke('wait.abort', null, testStep({ timeoutMs: 200 })))).details).toMatchObject({
      timeoutMs: 200,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('resolves normally when the action finishes in time', async () => {
    const quick = defineAction({ name: 'quick', input: z.unknown(), timeout: 1000, run: async () => 'done' });
    await expect(createActionRegistry([quick]).invoke('quick', null, testStep())).resolves.toEqual({
      output: 'done',
      cost: undefined,
    });
  });

  it('rejects CANCELLED and aborts the action when the step signal aborts', async () => {
    for (const timeoutMs of [undefined, 5_000]) {
      const seen: AbortSignal[] = [];
      const step = testStep({ timeoutMs });
      const pending = createActionRegistry([waitForAbort(seen)]).invoke('wait.abort', null, step);
      setTimeout(() => step.controller.abort(new Error('user cancelled')), 10);
      const error = await rejection(pending);
      expect(error.code).toBe('CANCELLED');
      expect(error.retryable).toBe(false);
      expect(seen[0].aborted).toBe(true);
    }
  });

  it('cancels every pending step under one signal, and leaves finished ones alone', async () => {
    const seen: AbortSignal[] = [];
    const quick = defineAction({ name: 'quick', input: z.unknown(), run: async () => 'done' });
    const registry = createActionRegistry([waitForAbort(seen), quick]);
    const step = testStep();
    const finished = registry.invoke('quick', null, step);
    const pending = [1, 2, 3].map((n) =>
      registry.invoke('wait.abort', null, { ...step, timeoutMs: n === 2 ? 10_000 : undefined }),
    );
    await expect(finished).resolves.toMatchObject({ output: 'done' });
    step.controller.abort();
    const codes = await Promise.all(pending.map((p) => rejection(p).then((e) => e.code)));
    expect(codes).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(seen.every((s) => s.aborted)).toBe(true);
  });

  it('cancels even an action that ignores its signal', async () => {
    const deaf = defineAction({ name: 'deaf', input: z.unknown(), run: () => new Promise(() => {}) });
    const step = testStep();
    const pending = createActionRegistry([deaf]).invoke('deaf', null, step);
    step.controller.abort();
    expect((await rejection(pending)).code).toBe('CANCELLED');
  });

  it('does not start an action whose step is already cancelled', async () => {
    let ran = false;
    const spy = defineAction({ name: 'spy', input: z.unknown(), run: () => (ran = true) });
    const step = testStep();
    step.controller.abort();
    expect((await rejection(createActionRegistry([spy]).invoke('spy', null, step))).code).toBe('CANCELLED');
    expect(ran).toBe(false);
  });
});

describe('registry: cancellation through a StepContext of the caller (the runtime passes its step calls)', () => {
  const deaf = defineAction({ name: 'deaf', input: z.unknown(), run: () => new Promise(() => {}) });
  const callerContext = (timeoutMs?: number) =>
    Object.assign(new StepContext('run-1', 'node-a', 1, 'run-1:node-a:1:0'), timeoutMs ? { timeoutMs } : {});

  it('rejects CANCELLED when the context is aborted, with or without a timeout of its own', async () => {
    for (const timeoutMs of [undefined, 5_000]) {
      const ctx = callerContext(timeoutMs);
      const pending = createActionRegistry([deaf]).invoke('deaf', null, ctx);
      ctx.abort(new Error('user cancelled'));
      expect((await rejection(pending)).code).toBe('CANCELLED');
    }
  });

  it('the action sees its signal aborted, made before or after the abort', async () => {
    const seen: AbortSignal[] = [];
    const ctx = callerContext();
    const pending = createActionRegistry([waitForAbort(seen)]).invoke('wait.abort', null, ctx);
    ctx.abort(new Error('stop'));
    expect((await rejection(pending)).code).toBe('CANCELLED');
    expect(seen[0].aborted).toBe(true);
    expect(ctx.signal.aborted).toBe(true);
  });

  it('two steps under one context are both cancelled (the second watches the signal)', async () => {
    const ctx = callerContext();
    const registry = createActionRegistry([deaf]);
    const pending = [registry.invoke('deaf', null, ctx), registry.invoke('deaf', null, ctx)];
    ctx.abort();
    expect(await Promise.all(pending.map((p) => rejection(p).then((e) => e.code)))).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('a finished step is no longer told: aborting its context later changes nothing', async () => {
    const quick = defineAction({ name: 'quick', input: z.unknown(), run: async () => 'done' });
    const ctx = callerContext();
    await expect(createActionRegistry([quick]).invoke('quick', null, ctx)).resolves.toMatchObject({ output: 'done' });
    expect(() => ctx.abort(new Error('late'))).not.toThrow();
    expect(ctx.aborted).toBe(true);
  });
});

describe('estimateCost', () => {
  it('reads a fixed cost, estimates from the parsed input, or defaults to 0', () => {
    expect(estimateCost({ ...lookup, cost: 3 }, {})).toBe(3);
    expect(estimateCost(lookup, { email: 'a@b.co', items: [{ sku: 'a' }, { sku: 'b' }] })).toBe(3);
    expect(estimateCost(lookup, { email: 'a@b.co' })).toBe(1);
    expect(estimateCost({ ...lookup, cost: undefined }, {})).toBe(0);
  });

  it('estimates 0 for input the action will refuse', () => {
    expect(estimateCost(lookup, { email: 'nope' })).toBe(0);
  });
});
