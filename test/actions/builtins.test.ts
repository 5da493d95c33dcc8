import { describe, expect, it } from 'vitest';
import { delayAction } from '../../src/actions/builtins/delay.js';
import { logAction } from '../../src/actions/builtins/log.js';
import { setAction } from '../../src/actions/builtins/set.js';
import { createActionRegistry } from '../../src/actions/registry.js';
import { testStep } from './step.js';

const registry = createActionRegistry([setAction, logAction, delayAction]);

describe('set', () => {
  it('returns its input object, for the node output mapping to store', async () => {
    const values = { total: 12, tags: ['a'], nested: { ok: true } };
    expect((await registry.invoke('set', values, testStep())).output).toEqual(values);
  });

  it('refuses anything but an object', async () => {
    for (const input of [42, 'x', null, [1]]) {
      await expect(registry.invoke('set', input, testStep())).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    }
  });
});

describe('log', () => {
  it('writes message, data and level to the step log', async () => {
    const step = testStep();
    const { output } = await registry.invoke('log', { message: 'order in', level: 'warn', data: { id: 7 } }, step);
    expect(output).toEqual({ logged: true });
    expect(step.lines).toEqual([{ message: 'order in', data: { id: 7 }, level: 'warn' }]);
  });

  it('logs at info by default and refuses unknown levels', async () => {
    const step = testStep();
    await registry.invoke('log', { message: 'hi' }, step);
    expect(step.lines).toEqual([{ message: 'hi', data: undefined, level: 'info' }]);
    await expect(registry.invoke('log', { message: 'hi', level: 'loud' }, testStep())).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining('log input.level'),
    });
  });
});

describe('delay', () => {
  it('waits the given time', async () => {
    const started = performance.now();
    const { output } = await registry.invoke('delay', { ms: 40 }, testStep());
    expect(output).toEqual({ waitedMs: 40 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('stops waiting as soon as the step is cancelled', async () => {
    const step = testStep();
    const started = performance.now();
    const pending = registry.invoke('delay', { ms: 60_000 }, step);
    setTimeout(() => step.controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('is cut short by a step timeout', async () => {
    await expect(registry.invoke('delay', { ms: 60_000 }, testStep({ timeoutMs: 20 }))).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('accepts 0 to 24 h only', async () => {
    await expect(registry.invoke('delay', { ms: 0 }, testStep())).resolves.toMatchObject({ output: { waitedMs: 0 } });
    for (const ms of [-1, 24 * 3_600_000 + 1, '10']) {
      await expect(registry.invoke('delay', { ms }, testStep())).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    }
  });
});
