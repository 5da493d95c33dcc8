/** Which strategy an ai step runs and why (auto table, precedence), and what each one does. */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { pricing } from '../../src/ai/pricing.js';
import { chooseStrategy } from '../../src/ai/strategy.js';
import { closeAll, openRunloom } from '../runtime/support.js';
import { scriptedModel } from './scripted-model.js';

afterEach(closeAll);

describe('auto detection', () => {
  it.each([
    [{ prompt: 'p', maxTurns: 3 }, 'conversational', 'auto: the node has conversation fields'],
    [{ action: 'a' }, 'deterministic', 'auto: the node names an action and no prompt'],
    [{ action: 'a', prompt: 'p', tools: ['t'] }, 'reasoning', 'auto: the node has tools'],
    [{ prompt: 'p', outputSchema: {} }, 'reasoning', 'auto: the node has an outputSchema'],
    [{ prompt: 'p', tools: [] }, 'reasoning', 'auto: a prompt without tools (one model call)'],
  ])('%j → %s', (node, name, reason) => {
    expect(chooseStrategy(node, undefined)).toEqual({ name, reason });
  });

  it('a configured strategy wins over detection, and says where it came from', () => {
    expect(chooseStrategy({ action: 'a' }, { name: 'reasoning', source: 'node' })).toEqual({
      name: 'reasoning',
      reason: 'set on the node',
    });
    expect(chooseStrategy({ prompt: 'p' }, { name: 'deterministic', source: 'run' }).reason).toBe('the run option');
    expect(chooseStrategy({ prompt: 'p' }, { name: 'deterministic', source: 'subflow' }).reason).toBe(
      'imposed by the subflow call',
    );
    expect(chooseStrategy({ prompt: 'p' }, { name: 'deterministic', source: 'flow' }).reason).toBe("the flow's default");
  });
});

const PRICE = { input: 1, output: 2 };

function flowOf(nodes: Record<string, unknown>[], defaults: Record<string, unknown> = {}) {
  const ids = nodes.map((n) => n.id as string);
  return {
    format: 'runloom/v1',
    id: 'strategies',
    defaults,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'fork', type: 'parallel' },
      ...nodes,
      { id: 'join', type: 'parallel' },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'fork' },
      ...ids.flatMap((id) => [
        { from: 'fork', to: id },
        { from: id, to: 'join' },
      ]),
      { from: 'join', to: 'done' },
    ],
  };
}

async function open(answers = 10) {
  const calls: unknown[] = [];
  const echo = defineAction({
    name: 'echo',
    input: z.object({ n: z.number() }),
    cost: 4,
    run: (input) => {
      calls.push(input);
      return { echoed: input.n };
    },
  });
  const model = scriptedModel((call) =>
    call < answers ? { text: `answer ${call}`, usage: { input: 100 + call, output: 7 } } : {},
  );
  const runloom = await openRunloom('sqlite', [echo], { models: { default: { model, price: PRICE } } });
  return { runloom, calls, model };
}

describe('strategies through a run', () => {
  it('deterministic calls the action, no model; precedence decides, and the run option applies last', async () => {
    const { runloom, calls, model } = await open();
    await runloom.flows.publish(
      flowOf([
        { id: 'a', type: 'ai', action: 'echo', input: { n: 1 } },
        { id: 'b', type: 'ai', action: 'echo', prompt: 'say hi', input: { n: 2 } },
        { id: 'c', type: 'ai', action: 'echo', prompt: 'say hi', strategy: 'reasoning', input: { n: 3 } },
      ]),
    );
    const plain = await runloom.runs.wait((await runloom.runs.start('strategies', {})).id);
    expect(plain.status).toBe('completed');
    let steps = (await runloom.runs.state(plain.id)).steps;
    expect(steps.a.detail).toEqual({
      strategy: 'deterministic',
      strategyReason: 'auto: the node names an action and no prompt',
      action: 'echo',
    });
    expect(steps.a.output).toEqual({ echoed: 1 });
    expect(steps.b.detail).toMatchObject({
      strategy: 'reasoning',
      strategyReason: 'auto: a prompt without tools (one model call)',
    });
    expect(steps.c.detail).toMatchObject({ strategy: 'reasoning', strategyReason: 'set on the node' });
    expect(model.doStreamCalls).toHaveLength(2);
    expect(calls).toEqual([{ n: 1 }]);

    const forced = await runloom.runs.wait((await runloom.runs.start('strategies', {}, { strategy: 'deterministic' })).id);
    steps = (await runloom.runs.state(forced.id)).steps;
    expect(steps.b.detail).toMatchObject({ strategy: 'deterministic', strategyReason: 'the run option' });
    expect(steps.c.detail).toMatchObject({ strategy: 'reasoning', strategyReason: 'set on the node' });
    expect(calls).toEqual([{ n: 1 }, { n: 1 }, { n: 2 }]);
  });

  it("a run's credits are the exact sum of its steps' (model calls and actions)", async () => {
    const { runloom } = await open();
    await runloom.flows.publish(
      flowOf([
        { id: 'a', type: 'ai', prompt: 'one' },
        { id: 'b', type: 'ai', prompt: 'two' },
        { id: 'c', type: 'ai', prompt: 'three' },
        { id: 'd', type: 'ai', action: 'echo', input: { n: 4 } },
      ]),
    );
    const run = await runloom.runs.wait((await runloom.runs.start('strategies', {})).id);
    const events = await runloom.runs.events(run.id);
    const costs = events.filter((e) => e.type === 'step.completed').map((e) => (e.data as { cost?: number }).cost ?? 0);
    const p = pricing(PRICE);
    const expected = [0, 1, 2].map((k) => p.credits({ inputTokens: 100 + k, outputTokens: 7 })).reduce((a, b) => a + b, 0) + 4;
    expect(run.usage.credits).toBe(expected);
    expect(costs).toHaveLength(4);
    expect(costs.reduce((a, b) => a + b, 0)).toBe(expected);
  });

  it('a conversation as a map item is refused with a clear error, not run half-way', async () => {
    const { runloom, model } = await open();
    await runloom.flows.publish(
      flowOf([{ id: 'a', type: 'map', items: '=[1, 2]', do: { type: 'ai', prompt: 'chat', maxTurns: 3 } }]),
    );
    const run = await runloom.runs.wait((await runloom.runs.start('strategies', {})).id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'AI_CONVERSATION_IN_MAP' });
    expect(run.error?.message).toContain("ai step 'a': a map item cannot hold a conversation");
    expect(model.doStreamCalls).toHaveLength(0);
  });

  it('an unknown model fails the step naming the configured ones', async () => {
    const { runloom } = await open();
    await runloom.flows.publish(flowOf([{ id: 'a', type: 'ai', prompt: 'hi', model: 'gpt-9' }]));
    const run = await runloom.runs.wait((await runloom.runs.start('strategies', {})).id);
    expect(run.error?.message).toMatch(/model 'gpt-9' is not configured \(models: default\)/);
  });
});
