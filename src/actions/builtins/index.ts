/**
 * The built-in actions every registry starts with (F3.1). `flow.start` is not here: starting
 * a child run needs the runtime, which registers it itself.
 */
import type { ActionDefinition } from '../action.js';
import { delayAction } from './delay.js';
import { failAction } from './fail.js';
import { httpRequestAction } from './http-request.js';
import { jsonTransformAction } from './json-transform.js';
import { logAction } from './log.js';
import { setAction } from './set.js';
import { templateAction } from './template.js';

export { delayAction, failAction, httpRequestAction, jsonTransformAction, logAction, setAction, templateAction };

/**
 * A fresh array of the built-ins, ready for `createActionRegistry(builtinActions())`.
 *
 * @example
 * const registry = createActionRegistry([...builtinActions(), myAction]);
 */
export function builtinActions(): ActionDefinition[] {
  return [setAction, logAction, delayAction, templateAction, jsonTransformAction, httpRequestAction, failAction];
}
