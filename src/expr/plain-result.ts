/**
 * Turns what JSONata returns into plain JSON-able data. JSONata 1.x marks its arrays with
 * enumerable flags (`sequence`, `keepSingleton`, `cons`, …) that would leak into stored state,
 * `Object.keys` and deep equality; and a result must never hand a function to the engine.
 * Copy-on-write: data that needs no change is returned as-is (same references), so only
 * JSONata-built arrays and their parents are copied.
 */
import { SandboxViolation } from './sandbox-state.js';

interface JsonataArray extends Array<unknown> {
  sequence?: boolean;
  keepSingleton?: boolean;
  cons?: boolean;
  outerWrapper?: boolean;
  tupleStream?: boolean;
}

export function toPlainResult(value: unknown): unknown {
  if (value === null) return value;
  switch (typeof value) {
    case 'object':
      return Array.isArray(value) ? plainArray(value) : plainObject(value as Record<string, unknown>);
    case 'function':
      throw new SandboxViolation('an expression cannot return a function');
    default:
      return value;
  }
}

function isFlagged(array: JsonataArray): boolean {
  return (
    array.sequence !== undefined ||
    array.keepSingleton !== undefined ||
    array.cons !== undefined ||
    array.outerWrapper !== undefined ||
    array.tupleStream !== undefined
  );
}

function plainArray(array: JsonataArray): unknown[] {
  let copy: unknown[] | undefined = isFlagged(array) ? array.slice(0, 0) : undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const plain = toPlainResult(item);
    if (copy === undefined && plain !== item) copy = array.slice(0, i);
    if (copy !== undefined) copy.push(plain);
  }
  return copy ?? array;
}

function plainObject(object: Record<string, unknown>): Record<string, unknown> {
  if (object._jsonata_lambda === true || object._jsonata_function === true) {
    throw new SandboxViolation('an expression cannot return a function');
  }
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const item = object[key];
    const plain = toPlainResult(item);
    if (plain !== item) {
      copy ??= { ...object };
      // defineProperty, not `=`: a data key named `__proto__` must stay a key, not a prototype.
      Object.defineProperty(copy, key, { value: plain, writable: true, enumerable: true, configurable: true });
    }
  }
  return copy ?? object;
}
