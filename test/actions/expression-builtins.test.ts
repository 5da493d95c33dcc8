import { describe, expect, it } from 'vitest';
import { builtinActions } from '../../src/actions/builtins/index.js';
import { createActionRegistry } from '../../src/actions/registry.js';
import { testStep } from './step.js';

const registry = createActionRegistry(builtinActions());
const run = (name: string, input: unknown) => registry.invoke(name, input, testStep());

describe('builtinActions', () => {
  it('registers every built-in once', () => {
    expect(registry.list().map((a) => a.name)).toEqual([
      'set',
      'log',
      'delay',
      'template',
      'json.transform',
      'http.request',
      'fail',
    ]);
    expect(registry.get('http.request')?.cost).toBe(1);
    expect(
      registry
        .list()
        .filter((a) => a.name !== 'http.request')
        .every((a) => a.cost === 0),
    ).toBe(true);
  });
});

describe('template', () => {
  it('renders {{ }} holes against values', async () => {
    const { output } = await run('template', {
      template: 'Hello {{ name }}, {{ $count(items) }} items, total {{ $sum(items.price) }}.',
      values: { name: 'Ada', items: [{ price: 2 }, { price: 3 }] },
    });
    expect(output).toEqual({ text: 'Hello Ada, 2 items, total 5.' });
  });

  it('renders text without holes as-is, and works without values', async () => {
    expect((await run('template', { template: 'plain text' })).output).toEqual({ text: 'plain text' });
  });

  it('gives the same answer when the compiled template is reused', async () => {
    const input = (name: string) => ({ template: 'Hi {{ name }}', values: { name } });
    expect((await run('template', input('A'))).output).toEqual({ text: 'Hi A' });
    expect((await run('template', input('B'))).output).toEqual({ text: 'Hi B' });
  });

  it('fails with an expression error for a broken hole', async () => {
    await expect(run('template', { template: 'Hi {{ name ( }}' })).rejects.toMatchObject({ code: 'EXPRESSION_ERROR' });
  });
});

describe('json.transform', () => {
  it('evaluates JSONata against data', async () => {
    const data = {
      items: [
        { sku: 'a', price: 2 },
        { sku: 'b', price: 3 },
      ],
    };
    const { output } = await run('json.transform', {
      expression: '{ "skus": items.sku, "total": $sum(items.price) }',
      data,
    });
    expect(output).toEqual({ result: { skus: ['a', 'b'], total: 5 } });
  });

  it('works on non-object data', async () => {
    expect((await run('json.transform', { expression: '$ * 2', data: 21 })).output).toEqual({ result: 42 });
    expect((await run('json.transform', { expression: '$count($)', data: [1, 2, 3] })).output).toEqual({ result: 3 });
  });

  it('fails with an expression error naming the expression', async () => {
    await expect(run('json.transform', { expression: 'items[', data: {} })).rejects.toMatchObject({
      code: 'EXPRESSION_ERROR',
      message: expect.stringContaining('items['),
    });
  });

  it('stays in the sandbox: functions reached from data cannot be called', async () => {
    await expect(
      run('json.transform', { expression: 'constructor.constructor("return process")()', data: {} }),
    ).rejects.toMatchObject({ code: 'EXPRESSION_ERROR' });
  });

  it('refuses a missing expression', async () => {
    await expect(run('json.transform', { data: {} })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining('json.transform input.expression'),
    });
  });
});
