/**
 * A task's literal input is checked against its action's schema at validation (issue 12, item
 * 10): `delay` with `ms: hello` or `ms: 1e400` used to pass validate and fail at run time.
 */
import { describe, expect, it } from 'vitest';
import { builtinActions } from '../../src/actions/builtins/index.js';
import { createActionRegistry } from '../../src/actions/registry.js';
import { parseFlowText, validateFlow } from '../../src/flow/index.js';

const actions = createActionRegistry(builtinActions());

const problemsOf = (action: string, input: string, wrapInMap = false) => {
  const task = `{ type: task, action: ${action}, input: ${input} }`;
  const node = wrapInMap ? `{ id: work, type: map, items: "=[1, 2]", do: ${task} }` : task.replace('{ ', '{ id: work, ');
  const text = `format: runloom/v1
id: f
nodes:
  - { id: start, type: start }
  - ${node}
  - { id: done, type: end }
edges:
  - { from: start, to: work }
  - { from: work, to: done }
`;
  return validateFlow(parseFlowText(text, 'f.yaml'), { actions }).problems;
};

describe('ACTION_INPUT', () => {
  it.each([
    ['ms: hello', '{ ms: hello }', /expected number, received string/],
    ['ms: 1e400 (Infinity in YAML)', '{ ms: 1e400 }', /expected number, received Infinity/],
    ['ms above the action maximum', '{ ms: 999999999999 }', /86400000/],
    ['ms missing', '{}', /expected number, received undefined/],
  ])('delay with %s is a problem at its path', (_name, input, message) => {
    const problems = problemsOf('delay', input);
    expect(problems).toEqual([{ path: 'nodes[1].input.ms', code: 'ACTION_INPUT', message: expect.stringMatching(message) }]);
    expect(problems[0].message).toMatch(/^node 'work': action 'delay' refuses input ms: /);
  });

  it('expressions are left to the run: at the field, at the root, or above the issue', () => {
    expect(problemsOf('delay', '{ ms: "=input.ms" }')).toEqual([]);
    expect(problemsOf('delay', '"=input.delay"')).toEqual([]);
    expect(problemsOf('http.request', '{ url: "=input.url", headers: "=input.headers" }')).toEqual([]);
  });

  it('a literal `==` is the text it stands for, and a good literal passes', () => {
    expect(problemsOf('delay', '{ ms: 250 }')).toEqual([]);
    const escaped = problemsOf('delay', '{ ms: "==5" }');
    expect(escaped[0].message).toMatch(/expected number, received string/);
  });

  it('a map body is checked too', () => {
    expect(problemsOf('delay', '{ ms: hello }', true)).toEqual([
      expect.objectContaining({ path: 'nodes[1].do.input.ms', code: 'ACTION_INPUT' }),
    ]);
  });
});
