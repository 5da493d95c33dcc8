import type { CompiledFlow } from '../../src/flow/index.js';

/** The compiled flow as plain data, to compare two: functions by name, compiled expressions by their source. */
export function plainFlow(flow: CompiledFlow): unknown {
  return JSON.parse(
    JSON.stringify(flow, (key, value) => {
      if (typeof value === 'function') return `fn:${key}`;
      if (value instanceof Uint8Array) return [...value];
      if (value instanceof Map) return Object.fromEntries(value);
      if (key === 'input' || key === 'output')
        return value && typeof value === 'object' && 'isConstant' in value ? 'compiled-value' : value;
      if (value && typeof value === 'object' && 'source' in value && 'evaluate' in value) return `expr:${value.source}`;
      return value;
    }),
  );
}
