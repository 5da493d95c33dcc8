/**
 * Built-ins whose JSONata originals allocate their whole result in one native call, or take
 * time the sandbox's clock cannot interrupt (it ticks between JSONata nodes only). Each checks
 * the size it is about to build against the budgets of `budgets.ts` first, then calls the
 * original, or does the same work in linear time.
 */
import type jsonata from 'jsonata';
import { checkStringLength, MAX_ARRAY_LENGTH, MAX_STRING_LENGTH, overBudget, sizeOf } from './budgets.js';
import { builtin, type Implementation } from './builtins.js';

const pad = builtin('pad');
const string = builtin('string');
const replace = builtin('replace');
const split = builtin('split');

/** `$pad("x", 200000000)` allocated an array of that many holes, then joined it: a fatal error. */
function boundedPad(this: jsonata.Focus, text: string | undefined, width: number, char?: string): unknown {
  if (text !== undefined) checkStringLength('$pad to a width of', Math.abs(width));
  return pad.call(this, text, width, char);
}

function boundedJoin(strings: string[] | undefined, separator = ''): string | undefined {
  if (strings === undefined) return undefined;
  let length = separator.length * Math.max(strings.length - 1, 0);
  for (const text of strings) length += text.length;
  checkStringLength('$join making a string of', length);
  return strings.join(separator);
}

/** `$string` of a value that holds one object many times writes every copy out. */
function boundedString(this: jsonata.Focus, value: unknown, prettify?: boolean): unknown {
  if (value !== null && typeof value === 'object') sizeOf(value, MAX_STRING_LENGTH, '$string of a value of');
  return string.call(this, value, prettify);
}

/**
 * `$replace` of a text pattern builds its result in a native loop: a 3 M-character text with
 * a 35-character replacement ran for 1.5 s towards a 105 M-character string. The occurrences
 * are counted first (a regex pattern goes through RE2, one search at a time, on the clock).
 */
function boundedReplace(this: jsonata.Focus, text: string | undefined, pattern: unknown, replacement: unknown, limit?: number) {
  if (typeof text === 'string' && typeof pattern === 'string' && pattern !== '' && typeof replacement === 'string') {
    const growth = replacement.length - pattern.length;
    if (growth > 0 && text.length + growth * Math.floor(text.length / pattern.length) > MAX_STRING_LENGTH) {
      let length = text.length;
      let count = 0;
      for (
        let at = text.indexOf(pattern);
        at !== -1 && (limit === undefined || count < limit);
        at = text.indexOf(pattern, at + pattern.length)
      ) {
        count++;
        length += growth;
      }
      checkStringLength('$replace making a string of', length);
    }
  }
  return replace.call(this, text, pattern, replacement, limit);
}

/** `$split(text, "")` makes one item per character, at once. */
function boundedSplit(this: jsonata.Focus, text: string | undefined, separator: unknown, limit?: number) {
  if (typeof text === 'string' && separator === '') {
    const items = limit === undefined ? text.length : Math.min(text.length, limit);
    if (items > MAX_ARRAY_LENGTH) throw overBudget('$split making an array of', items, MAX_ARRAY_LENGTH, 'items');
  }
  return split.call(this, text, separator, limit);
}

/**
 * `$distinct` compared each item with every item kept so far: a million items took hours.
 * Same answer (deep equality, first occurrence kept, in order) by one key per item.
 */
function linearDistinct(items: unknown): unknown {
  if (!Array.isArray(items) || items.length <= 1) return items;
  const seen = new Set<unknown>();
  const seenObjects = new Set<string>();
  const kept: unknown[] & { sequence?: boolean } = [];
  if ((items as { sequence?: boolean }).sequence === true) kept.sequence = true;
  for (const item of items) {
    const keys = item !== null && typeof item === 'object' ? seenObjects : seen;
    const key = keys === seenObjects ? canonical(item as object) : item;
    if (keys.has(key as string)) continue;
    keys.add(key as string);
    kept.push(item);
  }
  return kept;
}

/** A string equal for deep-equal values as JSONata compares them: object keys in any order, array items in order. */
function canonical(value: object): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = Object.create(null); // a data key `__proto__` stays a key
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/** name, implementation, JSONata signature (the same as the built-in each one replaces). */
export const BOUNDED_FUNCTIONS: ReadonlyArray<readonly [string, Implementation, string]> = [
  ['pad', boundedPad, '<s-ns?:s>'],
  ['join', boundedJoin, '<a<s>s?:s>'],
  ['string', boundedString, '<x-b?:s>'],
  ['distinct', linearDistinct, '<x:x>'],
  ['replace', boundedReplace, '<s-(sf)(sf)n?:s>'],
  ['split', boundedSplit, '<s-(sf)n?:a<s>>'],
];
