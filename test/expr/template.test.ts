import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors.js';
import { compileTemplate } from '../../src/expr/index.js';

const scope = {
  vars: { name: 'Ada', count: 0, ok: false, nil: null, items: [1, 2], customer: { tier: 'gold' } },
};

describe('compileTemplate', () => {
  it('renders holes into the text', () => {
    const template = compileTemplate('Hello {{ vars.name }}, you have {{ $count(vars.items) }} items.', 'nodes[2].prompt');
    expect(template.render(scope)).toBe('Hello Ada, you have 2 items.');
    expect(template.source).toBe('Hello {{ vars.name }}, you have {{ $count(vars.items) }} items.');
  });

  it('renders strings as-is, numbers and booleans via String, objects and arrays as JSON, null and undefined as nothing', () => {
    const template = compileTemplate(
      '[{{vars.name}}][{{vars.count}}][{{vars.ok}}][{{vars.items}}][{{vars.customer}}][{{vars.nil}}][{{vars.missing}}]',
      'w',
    );
    expect(template.render(scope)).toBe('[Ada][0][false][[1,2]][{"tier":"gold"}][][]');
  });

  it('allows }} inside an expression', () => {
    expect(compileTemplate("{{ {'a': {'b': vars.name}} }}!", 'w').render(scope)).toBe('{"a":{"b":"Ada"}}!');
  });

  it('returns text without holes unchanged', () => {
    expect(compileTemplate('no holes } here {', 'w').render(scope)).toBe('no holes } here {');
    expect(compileTemplate('', 'w').render(scope)).toBe('');
  });

  it('refuses an unclosed {{ at compile time, naming where', () => {
    try {
      compileTemplate('Hello {{ vars.name', 'nodes[2].prompt');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).where).toBe('nodes[2].prompt');
      expect((error as ExpressionError).message).toContain('never closed');
    }
  });

  it('refuses a bad hole at compile time with the reason from JSONata', () => {
    expect(() => compileTemplate('Hi {{ vars.( }} and {{ vars.name }}', 'w')).toThrow(/Expected/);
    expect(() => compileTemplate('Hi {{ }}', 'w')).toThrow(ExpressionError);
    expect(() => compileTemplate('Hi {{ vars.constructor }}', 'w')).toThrow(/constructor/);
  });

  it('fails rendering with an ExpressionError naming the hole', () => {
    const template = compileTemplate('Total: {{ vars.name + 1 }}', 'nodes[4].prompt');
    expect(() => template.render(scope)).toThrow(ExpressionError);
    expect(() => template.render(scope)).toThrow(/vars\.name \+ 1/);
  });
});
