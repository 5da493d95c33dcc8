/**
 * The cut-off of `runs export|prune`: `--before` as a time (ISO 8601: 2026-01-31, or with a time
 * and zone) or as an age (a duration: 30d, 12h, 1h30m); else the retention setting
 * RUNLOOM_RETENTION (an age). Neither set: refused, since by default nothing is ever deleted.
 */
import { RequestError } from '../errors.js';
import { durationProblem, parseDuration } from '../flow/duration.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const FORMS = 'a duration (30d, 12h, 1h30m: runs older than that) or an ISO date/time (2026-01-31, 2026-01-31T12:00:00Z)';

export const RETENTION_ENV = 'RUNLOOM_RETENTION';

/**
 * The cut-off in ms since the epoch: runs that ended before it are exported or pruned. `name` is
 * what errors call the value (`--before`, or the HTTP API's `before`).
 */
export function cutOffOf(
  before: string | undefined,
  now: number,
  env: NodeJS.ProcessEnv = process.env,
  name = '--before',
): number {
  if (before !== undefined) return parseBefore(before, now, name);
  const keep = env[RETENTION_ENV];
  if (keep === undefined || keep.trim() === '') {
    throw new RequestError(
      'BAD_REQUEST',
      `give ${name} <time|duration>, or set ${RETENTION_ENV} (e.g. 30d) to how long ended runs are kept: by default nothing is deleted`,
    );
  }
  const problem = durationProblem(keep);
  if (problem) throw new RequestError('BAD_REQUEST', `${RETENTION_ENV}=${JSON.stringify(keep)}: ${problem}`);
  return now - parseDuration(keep);
}

function parseBefore(text: string, now: number, name: string): number {
  const value = text.trim();
  if (ISO_TIME.test(value)) {
    const at = Date.parse(value);
    if (!Number.isFinite(at)) throw new RequestError('BAD_REQUEST', `${name} '${text}' is not a valid date/time`);
    if (at > now) throw new RequestError('BAD_REQUEST', `${name} '${text}' is in the future: only runs that have ended can go`);
    return at;
  }
  if (durationProblem(value) === undefined) return now - parseDuration(value);
  throw new RequestError('BAD_REQUEST', `${name} '${text}': expected ${FORMS}`);
}
