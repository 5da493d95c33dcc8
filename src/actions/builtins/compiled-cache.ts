/**
 * A small bounded cache for compiled expressions and templates, keyed by source text.
 *
 * Flows usually pass the same few constant expressions to `json.transform` and `template`,
 * so compiling once pays; the bound keeps a flow that builds expressions from data from
 * growing memory without limit. A hit moves the entry to the back of the Map's insertion
 * order, and the front (least recently used) is evicted first.
 */
export interface CompiledCache<T> {
  get(source: string): T;
  readonly size: number;
}

export function createCompiledCache<T>(compile: (source: string) => T, limit = 500): CompiledCache<T> {
  const entries = new Map<string, T>();
  return {
    get(source) {
      const hit = entries.get(source);
      if (hit !== undefined) {
        entries.delete(source);
        entries.set(source, hit);
        return hit;
      }
      // Compile errors are thrown and never cached: a bad expression costs a compile each time.
      const compiled = compile(source);
      if (entries.size >= limit) entries.delete(entries.keys().next().value as string);
      entries.set(source, compiled);
      return compiled;
    },
    get size() {
      return entries.size;
    },
  };
}
