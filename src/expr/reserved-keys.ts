/**
 * Keys that lead from data to JavaScript machinery. Assigned with `obj[key] = …`, `__proto__`
 * replaces an object's prototype (a step with `output: __proto__` made its result the
 * prototype of `vars`, and a later `=vars.x` read through it). They are refused as keys
 * everywhere data enters a run: flow files (validation), run inputs, signal and callback
 * payloads, step and child results (the engine), and expressions (the sandbox).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The path of the first reserved key inside a JSON value (`input.customer.__proto__`), or
 * undefined. Iterative, so a deeply nested value cannot overflow the stack; own keys only.
 * The engine calls it on every step result, so the common answer (none) builds no path.
 *
 * @example
 * findReservedKey(JSON.parse('{"a": [{"__proto__": 1}]}'), 'payload'); // 'payload.a[0].__proto__'
 */
export function findReservedKey(value: unknown, root: string): string | undefined {
  if (value === null || typeof value !== 'object' || !holdsReservedKey(value)) return undefined;
  return pathOfReservedKey(value, root);
}

function holdsReservedKey(value: object): boolean {
  const stack: object[] = [value];
  while (stack.length > 0) {
    const current = stack.pop() as object;
    if (Array.isArray(current)) {
      for (const item of current) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    for (const key of Object.keys(current)) {
      if (RESERVED_KEYS.has(key)) return true;
      const item: unknown = (current as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') stack.push(item);
    }
  }
  return false;
}

function pathOfReservedKey(value: object, root: string): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop() as [unknown, string];
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        const item: unknown = current[i];
        if (item !== null && typeof item === 'object') stack.push([item, `${path}[${i}]`]);
      }
      continue;
    }
    for (const key of Object.keys(current as object)) {
      const at = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (RESERVED_KEYS.has(key)) return at;
      const item: unknown = (current as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') stack.push([item, at]);
    }
  }
  return undefined;
}
