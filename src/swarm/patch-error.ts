import { RunloomError } from '../errors.js';

/** A patch operation that cannot apply: which one (by index), at which path, and why. */
export class PatchError extends RunloomError {
  constructor(index: number, path: string, reason: string) {
    super('PATCH_INVALID', `ops[${index}] at '${path}': ${reason}`, { details: { op: index, path } });
  }
}
