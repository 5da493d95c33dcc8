import { describe, expect, it } from 'vitest';
import type { AiStepInput } from '../../src/flow/ai-step-input.js';
import { compileFlow, validateFlow } from '../../src/flow/index.js';

function aiFlow(defaults: Record<string, unknown>, node: Record<string, unknown> = {}) {
  const result = validateFlow({
    format: 'runloom/v1',
    id: 'ai-input',
    defaults,
    nodes: [
      { id: 'start', type: 'start' },
      {
        id: 'ask',
        type: 'ai',
        prompt: 'Hi {{input.name}}, {{vars.n + 1}}',
        system: 'You are {{run.flowId}}',
        input: { n: '=input.n' },
        ...node,
      },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'ask' },
      { from: 'ask', to: 'done' },
    ],
  });
  if (!result.flow) throw new Error(JSON.stringify(result.problems));
  const ask = compileFlow(result.flow, 1).nodes[1];
  if (ask.type !== 'ai') throw new Error('ai node expected');
  return (run: Record<string, unknown> = {}) =>
    ask.input.evaluate({
      input: { name: 'Ada', n: 0 },
      vars: { n: 1 },
      run: { id: 'r', flowId: 'ai-input', ...run },
    }) as AiStepInput;
}

describe('the input of an ai step', () => {
  it('carries the evaluated input and the prompt and system rendered against the run', () => {
    expect(aiFlow({})()).toEqual({ input: { n: 0 }, prompt: 'Hi Ada, 2', system: 'You are ai-input' });
  });

  it('names the strategy by precedence: node > subflow call > flow default > run option; auto defers', () => {
    const child = { parentRunId: 'p', strategy: 'conversational' };
    const top = { strategy: 'conversational' };
    expect(aiFlow({ strategy: 'deterministic' }, { strategy: 'reasoning' })(child).strategy).toEqual({
      name: 'reasoning',
      source: 'node',
    });
    expect(aiFlow({ strategy: 'deterministic' }, { strategy: 'auto' })(child).strategy).toEqual({
      name: 'conversational',
      source: 'subflow',
    });
    expect(aiFlow({ strategy: 'deterministic' })(top).strategy).toEqual({ name: 'deterministic', source: 'flow' });
    expect(aiFlow({ strategy: 'auto' })(top).strategy).toEqual({ name: 'conversational', source: 'run' });
    expect(aiFlow({})({}).strategy).toBeUndefined();
  });

  it('ignores overrides when the flow forbids them', () => {
    const closed = aiFlow({ allowStrategyOverride: false });
    expect(closed({ parentRunId: 'p', strategy: 'reasoning' }).strategy).toBeUndefined();
    expect(closed({ strategy: 'reasoning' }).strategy).toBeUndefined();
  });
});

describe('ai node references', () => {
  it("an ai node's action and tools must be registered actions", () => {
    const result = validateFlow(
      {
        format: 'runloom/v1',
        id: 'refs',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'ask', type: 'ai', action: 'crm.lokup', tools: ['log', 'crm.find'], maxToolRounds: -1 },
          { id: 'done', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'ask' },
          { from: 'ask', to: 'done' },
        ],
      },
      { actions: { has: (name: string) => name === 'log', get: () => undefined } },
    );
    expect(result.flow).toBeUndefined();
    const found = result.problems.map((p) => [p.path, p.code]);
    expect(found).toContainEqual(['nodes[1].action', 'UNKNOWN_ACTION']);
    expect(found).toContainEqual(['nodes[1].tools[1]', 'UNKNOWN_ACTION']);
    expect(found.some(([path]) => path === 'nodes[1].maxToolRounds')).toBe(true);
  });
});
