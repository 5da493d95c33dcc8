/**
 * The JSONata built-ins Runloom replaces, because the originals read the wall clock, draw
 * random numbers, evaluate strings unchecked, read inherited properties, or allocate or take
 * time without bound (`bounded-functions.ts`). Installed on every
 * compiled expression (`installSandboxFunctions`), once, at compile time.
 */
import type jsonata from 'jsonata';
import { BOUNDED_FUNCTIONS } from './bounded-functions.js';
import { builtin, type Implementation } from './builtins.js';
import { LinearRegExp } from './regex.js';
import { isRefusedKey, SandboxViolation, state } from './sandbox-state.js';

const fromMillis = builtin('fromMillis') as (this: unknown, ms: number, picture?: string, timezone?: string) => string;
const toMillis = builtin('toMillis') as (this: unknown, timestamp: string, picture?: string) => number | undefined;

/** The engine is deterministic: time comes in on the event (`scope.now`), never from the clock. */
function clock(): number {
  if (state.now === undefined) {
    throw new SandboxViolation('the clock is not available here: $now()/$millis() need the time of the event (scope.now)');
  }
  return state.now;
}

/**
 * `$toMillis(text, picture)` fills date parts missing from the picture from "now", which
 * JSONata reads from `this.environment.timestamp` (the wall clock at evaluate()). This focus
 * answers with `scope.now` instead, read only when a part is actually missing.
 */
const clockFocus = {
  environment: {
    get timestamp(): Date {
      return new Date(clock());
    },
  },
};

/** Longer text is no timestamp; JSONata's ISO 8601 check backtracks in n² (9,000 characters: 0.3 s). */
const MAX_TIMESTAMP_LENGTH = 256;
const NativeRegExp = RegExp;

/**
 * JSONata parses a picture with `new RegExp('^(…)(…)…$', 'i')`, one group per part, and
 * adjacent number parts backtrack in n^parts (40 digits against `[Y][M][D][H][m][s][f]`: 0.9 s;
 * 60 digits: 4 s). The global RegExp is RE2 for the length of this synchronous call: nothing
 * else runs meanwhile, and regex literals keep the built-in engine.
 */
function PictureRegExp(pattern: string, flags?: string): LinearRegExp {
  return new LinearRegExp(new NativeRegExp(pattern, flags));
}

function linearToMillis(timestamp: string | undefined, picture?: string): number | undefined {
  if (timestamp !== undefined && timestamp.length > MAX_TIMESTAMP_LENGTH) {
    throw new SandboxViolation(`$toMillis reads at most ${MAX_TIMESTAMP_LENGTH} characters, not ${timestamp.length}`);
  }
  if (picture === undefined) return toMillis.call(clockFocus, timestamp as string);
  globalThis.RegExp = PictureRegExp as unknown as RegExpConstructor;
  try {
    return toMillis.call(clockFocus, timestamp as string, picture);
  } finally {
    globalThis.RegExp = NativeRegExp;
  }
}

function refused(what: string, advice: string): () => never {
  return () => {
    throw new SandboxViolation(`${what} is not allowed in expressions: ${advice}`);
  };
}

/**
 * `$lookup(object, key)` as JSONata defines it (arrays are mapped and flattened), but it reads
 * own enumerable properties only, refuses `__proto__`/`constructor`/`prototype`, and sees
 * nothing inside functions: the dynamic twin of the compile-time check on path steps.
 */
function lookup(input: unknown, key: string): unknown {
  if (isRefusedKey(key)) throw new SandboxViolation(`$lookup cannot read \`${key}\``);
  return lookupOwn(input, key);
}

function lookupOwn(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result: unknown[] & { sequence?: boolean } = [];
    result.sequence = true; // a JSONata sequence, flattened and unwrapped like the original's
    for (const item of input) {
      const value = lookupOwn(item, key);
      if (Array.isArray(value)) for (const v of value) result.push(v);
      else if (value !== undefined) result.push(value);
    }
    return result;
  }
  if (input === null || typeof input !== 'object') return undefined;
  if (!Object.prototype.propertyIsEnumerable.call(input, key)) return undefined;
  return (input as Record<string, unknown>)[key];
}

/** name, implementation, JSONata signature (the same as the built-in each one replaces). */
const OVERRIDES: ReadonlyArray<readonly [string, Implementation, string]> = [
  ['now', (picture?: string, timezone?: string) => fromMillis.call(clockFocus, clock(), picture, timezone), '<s?s?:s>'],
  ['millis', () => clock(), '<:n>'],
  ['toMillis', linearToMillis, '<s-s?:n>'],
  ['random', refused('$random()', 'use an action'), '<:n>'],
  ['shuffle', refused('$shuffle()', 'use an action'), '<a:a>'],
  // `$eval` is disabled rather than sandboxed: a string evaluated at run time would skip the
  // compile-time checks (forbidden keys, reserved variables) and the compile-once budget.
  ['eval', refused('$eval()', 'write the expression itself'), '<sx?:x>'],
  ['lookup', lookup, '<x-s:x>'],
  ...BOUNDED_FUNCTIONS,
];

export function installSandboxFunctions(expression: jsonata.Expression): void {
  for (const [name, implementation, signature] of OVERRIDES) expression.registerFunction(name, implementation, signature);
}
