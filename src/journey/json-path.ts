/**
 * The JSON paths hooks map payloads with (F6.3): `$.contact.email`, `$.items[0].name`,
 * `$['odd key']`. Only member and index steps: a mapping names where a value is, it computes
 * nothing (conditions and inputs use JSONata).
 */
import { RequestError } from '../errors.js';

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;

export type JsonPath = readonly (string | number)[];

/** Parses a path; throws naming `where` when it is not one. */
export function parseJsonPath(path: string, where: string): JsonPath {
  if (!path.startsWith('$'))
    throw new RequestError('INVALID_JSON_PATH', `${where}: '${path}' is not a JSON path (write it like $.contact.email)`);
  const steps: (string | number)[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match) throw new RequestError('INVALID_JSON_PATH', `${where}: '${path}' is not a JSON path: cannot read '${rest}'`);
    steps.push(match[2] === undefined ? (match[1] ?? match[3] ?? match[4]) : Number(match[2]));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** The value at `path`, or undefined. Own properties only: `$.__proto__` finds nothing. */
export function readJsonPath(value: unknown, path: JsonPath): unknown {
  let at = value;
  for (const step of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, step)) return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}
