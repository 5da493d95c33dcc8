/**
 * Problem codes of flow validation and small helpers to write problems. Codes are stable
 * (clients match on them); messages are sentences naming the offending node or edge.
 */
import type { FlowProblem } from '../errors.js';

export const PROBLEM_CODES = [
  'PARSE',
  'FORMAT_VERSION',
  'SCHEMA',
  'UNKNOWN_FIELD',
  'UNKNOWN_NODE_TYPE',
  'DUPLICATE_ID',
  'NO_START',
  'MULTIPLE_START',
  'START_HAS_INCOMING',
  'END_HAS_OUTGOING',
  'UNKNOWN_NODE',
  'UNREACHABLE_NODE',
  'DEAD_END',
  'NO_PATH_TO_END',
  'DECISION_WITHOUT_DEFAULT',
  'MISSING_CONDITION',
  'DEFAULT_WITH_CONDITION',
  'MULTIPLE_DEFAULTS',
  'UNKNOWN_ACTION',
  'TASK_TARGET',
  'INVALID_EXPRESSION',
  'INVALID_DURATION',
  'INVALID_DATE',
  'INVALID_SCHEMA',
  'INVALID_CRON',
  'TIMER_SPEC',
  'JOIN_NEVER_FIRES',
  'UNKNOWN_SUBFLOW',
  'AI_DECISION_NO_CHOICE',
  'BOUNDARY_NOT_ALLOWED',
  'RACE_TARGET',
  'TIMEOUT_EDGE_SOURCE',
  'MULTIPLE_TIMEOUT_EDGES',
  'MAP_BODY',
  'TOO_LARGE',
  'TOO_DEEP',
  'RESERVED_KEY',
  'ACTION_INPUT',
  'JOURNEY_EDGE',
  'JOURNEY_ENTRY',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export function problem(path: string, code: ProblemCode, message: string): FlowProblem {
  return { path, code, message };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['nodes', 3, 'action']` → `nodes[3].action`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Joins a base path and a relative one (`nodes[2]` + `input.email`). */
export function joinPath(base: string, rest: string): string {
  if (rest === '') return base;
  if (base === '') return rest;
  return rest.startsWith('[') ? base + rest : `${base}.${rest}`;
}

/** Edit distance, for "did you mean" hints on unknown fields and ids. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** ` (did you mean 'action'?)` when a known word is close to `word`, else ''. */
export function didYouMean(word: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}
