/** Actions: the contract, the registry that invokes them, and the built-ins. */
export { type ActionCatalog, type ActionContext, type ActionDefinition, defineAction, type LogLevel } from './action.js';
export {
  cancelled,
  formatPath,
  type IssueInfo,
  inputInvalid,
  outputInvalid,
  timedOut,
  unknownAction,
} from './action-errors.js';
export {
  builtinActions,
  delayAction,
  httpRequestAction,
  jsonTransformAction,
  logAction,
  setAction,
  templateAction,
} from './builtins/index.js';
export {
  type ActionRegistry,
  createActionRegistry,
  estimateCost,
  type InvokeContext,
  type InvokeResult,
} from './registry.js';
export type { LogSink, StepIdentity } from './step-context.js';
