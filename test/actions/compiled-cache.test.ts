import { describe, expect, it } from 'vitest';
import { createCompiledCache } from '../../src/actions/builtins/compiled-cache.js';

describe('compiled cache', () => {
  it('compiles each source once while it stays cached', () => {
    const compiled: string[] = [];
    const cache = createCompiledCache((s) => {
      compiled.push(s);
      return { s };
    });
    const first = cache.get('a');
    expect(cache.get('a')).toBe(first);
    expect(compiled).toEqual(['a']);
  });

  it('stays within its bound, evicting the least recently used source', () => {
    const compiled: string[] = [];
    const cache = createCompiledCache((s) => {
      compiled.push(s);
      return s.toUpperCase();
    }, 2);
    cache.get('a');
    cache.get('b');
    cache.get('a'); // a is now the most recent
    cache.get('c'); // evicts b
    expect(cache.size).toBe(2);
    cache.get('a');
    cache.get('b');
    expect(compiled).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not cache failures', () => {
    let calls = 0;
    const cache = createCompiledCache(() => {
      calls++;
      throw new Error('bad');
    });
    expect(() => cache.get('x')).toThrow('bad');
    expect(() => cache.get('x')).toThrow('bad');
    expect(calls).toBe(2);
  });
});
