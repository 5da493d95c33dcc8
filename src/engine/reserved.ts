/**
 * Reserved keys (`__proto__`, `constructor`, `prototype`) never reach a run's state: data from
 * outside — run input, signal and callback payloads — is refused before anything changes, and
 * a step or child result holding one fails that step. Flow files are refused at validation.
 */
import type { ErrorInfo } from '../errors.js';
import { RequestError } from '../errors.js';
import { findReservedKey } from '../expr/index.js';
import { errorOf } from './work.js';

/** Throws INPUT_INVALID, naming where the reserved key is (`payload.customer.__proto__`). */
export function refuseReservedKeys(value: unknown, root: string, what: string): void {
  const at = findReservedKey(value, root);
  if (at !== undefined)
    throw new RequestError('INPUT_INVALID', `${what}: ${at} is a reserved key (__proto__, constructor, prototype)`);
}

/** The failure of a step whose result holds a reserved key, or undefined when it holds none. */
export function reservedKeyFailure(output: unknown, nodeId: string): ErrorInfo | undefined {
  const at = findReservedKey(output, 'output');
  if (at === undefined) return undefined;
  return errorOf('RESERVED_KEY', `the result of '${nodeId}' holds ${at}, a reserved key (__proto__, constructor, prototype)`);
}
