/**
 * Limits on what a parsed document may hold, checked before anything walks it recursively:
 * validation, compilation, the store's JSON and the expression sandbox all recurse over values,
 * and a file or an input nested 10,000 deep would overflow their stacks far from its source.
 */
import type { FlowProblem } from '../errors.js';
import { formatPath, problem } from './problems.js';

/** A flow file larger than this is refused before it is parsed. */
export const MAX_FLOW_FILE_BYTES = 4 * 1024 * 1024;
/** Objects and arrays nested deeper than this are refused (a flow needs a dozen). */
export const MAX_DEPTH = 200;
/** YAML aliases may add at most this many nodes to a document (an alias bomb adds billions). */
export const MAX_ALIAS_EXPANSION = 1_000_000;
/**
 * Keys that would reach an object's prototype when assigned (`obj[key] = …`). Refused where a
 * document is parsed, so no later copy of the value can be turned against its holder.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

export const tooLarge = (bytes: number): FlowProblem =>
  problem(
    '',
    'TOO_LARGE',
    `the file is ${bytes.toLocaleString('en-US')} bytes; a flow file holds at most ${MAX_FLOW_FILE_BYTES.toLocaleString('en-US')}`,
  );

export const tooDeep = (path: readonly (string | number)[], where = ''): FlowProblem =>
  problem(shortPath(path), 'TOO_DEEP', `nested deeper than ${MAX_DEPTH} levels${where}`);

/** A path 200 levels deep is noise: its start says where, the rest is elided. */
function shortPath(path: readonly (string | number)[]): string {
  return path.length <= 12 ? formatPath(path) : `${formatPath(path.slice(0, 8))}…`;
}

export const reservedKey = (path: string, key: string, where = ''): FlowProblem =>
  problem(path, 'RESERVED_KEY', `'${key}' is a reserved key and cannot be used${where}`);

/**
 * The first problem of a parsed JSON value: nesting past `MAX_DEPTH` or a reserved key, with its
 * path; undefined when the value is fine. Recursion stops at the limit, so it cannot overflow.
 *
 * @example
 * const problem = valueLimitProblem(JSON.parse(text)); // { path: 'a.b[0]…', code: 'TOO_DEEP', … }
 */
export function valueLimitProblem(value: unknown, maxDepth = MAX_DEPTH): FlowProblem | undefined {
  const path: (string | number)[] = [];
  const visit = (v: unknown, depth: number): FlowProblem | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (depth >= maxDepth) return tooDeep(path);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const found = visit(v[i], depth + 1);
        path.pop();
        if (found) return found;
      }
      return undefined;
    }
    for (const key of Object.keys(v)) {
      path.push(key);
      const found = RESERVED_KEYS.has(key)
        ? reservedKey(formatPath(path), key)
        : visit((v as Record<string, unknown>)[key], depth + 1);
      path.pop();
      if (found) return found;
    }
    return undefined;
  };
  return visit(value, 0);
}
