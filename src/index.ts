/** Runloom's public API. */

export { type ActionContext, type ActionDefinition, defineAction } from './actions/action.js';
export type { FlowSource, FlowsApi } from './api/flows.js';
export type { RunsApi, RunView, WaitingOn } from './api/runs.js';
export type { Bus } from './bus/bus.js';
export { advance, createRunState, progressOf, replay } from './engine/index.js';
export type { Effect, EngineEvent, RunEvent, RunOptions, RunState, RunStatus } from './engine/types.js';
export { type ErrorInfo, ExpressionError, FlowInvalidError, type FlowProblem, RequestError, RunloomError } from './errors.js';
export type { CompiledFlow } from './flow/compiled.js';
export { compileFlow, loadFlow, parseFlowText, validateFlow } from './flow/index.js';
export { createRunloom, type Runloom, type RunloomOptions } from './runloom.js';
export type { Executors, NodeExecutor, StepRequest, StepResult } from './runtime/executors.js';
export { openStore } from './store/index.js';
export type { Checkpoint, Durability, Store, WebhookAnswer } from './store/store.js';
export { verifyWebhookSignature } from './webhook/signature.js';
export type { WebhookOptions, WebhooksApi } from './webhook/webhooks.js';
