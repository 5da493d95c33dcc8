/** Run input from `--input k=v` pairs and `--input-file f.json`. */
import { readFileSync } from 'node:fs';
import { RequestError } from '../errors.js';
import { valueLimitProblem } from '../flow/parse-limits.js';

/** `k=v`: the value is JSON when it parses as JSON (numbers, booleans, objects), else a string; `a.b=1` nests. */
export function parseInputPairs(pairs: readonly string[], base: Record<string, unknown> = {}): Record<string, unknown> {
  const input: Record<string, unknown> = { ...base };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new RequestError('BAD_REQUEST', `--input '${pair}': expected key=value`);
    const path = pair.slice(0, eq).split('.');
    if (path.some((part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype')) {
      throw new RequestError('BAD_REQUEST', `--input '${pair}': '${pair.slice(0, eq)}' is not a valid key`);
    }
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    withinLimits(`--input '${pair.slice(0, eq)}'`, value);
    let target = input;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = value;
  }
  return input;
}

export function readInputFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RequestError('BAD_REQUEST', `--input-file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestError('BAD_REQUEST', `--input-file ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RequestError('BAD_REQUEST', `--input-file ${path}: must hold a JSON object`);
  }
  return withinLimits(`--input-file ${path}`, value) as Record<string, unknown>;
}

export function parseJsonOption(name: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestError('BAD_REQUEST', `${name}: not valid JSON (${(error as Error).message})`);
  }
  return withinLimits(name, value);
}

/**
 * Input nested past the limit or holding a reserved key is refused here, naming the option and
 * the path, before it reaches code that recurses over it (validation, the store's JSON).
 */
function withinLimits<T>(name: string, value: T): T {
  const found = valueLimitProblem(value);
  if (found) throw new RequestError('BAD_REQUEST', `${name}: ${found.path || '(root)'}: ${found.message}`);
  return value;
}
