/** Runloom's public API. */

export { type ActionContext, type ActionDefinition, defineAction } from './actions/action.js';
export type { FlowSource, FlowsApi } from './api/flows.js';
export type { RunsApi, RunView, WaitingOn } from './api/runs.js';
export { type Bus, isLive, type LiveEvent } from './bus/bus.js';
export type { ChatsApi, ChatView, MessageView } from './chat/chats-api.js';
export type { ChatMetadata, FutureMetadata, MessageMetadata } from './chat/metadata.js';
export { advance, createRunState, progressOf, replay } from './engine/index.js';
export type { Effect, EngineEvent, RunEvent, RunOptions, RunState, RunStatus } from './engine/types.js';
export { type ErrorInfo, ExpressionError, FlowInvalidError, type FlowProblem, RequestError, RunloomError } from './errors.js';
export type { CompiledFlow } from './flow/compiled.js';
export { compileFlow, loadFlow, parseFlowText, validateFlow } from './flow/index.js';
export type { EntityInput, EntityList, EntityView, WorkspaceEntities } from './journey/entities.js';
export type { HookInput, HookView } from './journey/hook-config.js';
export { SIGNATURE_HEADER, signHook, TIMESTAMP_HEADER } from './journey/hooks.js';
export type { Board, EntitiesApi, JourneysApi, JourneyView, WorkspaceJourneys } from './journey/journeys-api.js';
export type { PromptReply, PromptRun, PromptsApi, StartOptions as PromptStartOptions } from './prompt/prompts-api.js';
export { PromptInvalidError, parsePromptText, validatePrompt } from './prompt/template.js';
export { createRunloom, type Runloom, type RunloomOptions } from './runloom.js';
export type { Executors, NodeExecutor, StepRequest, StepResult } from './runtime/executors.js';
export { openStore } from './store/index.js';
export type { JourneyMapping } from './store/journey-records.js';
export type { PromptRunRecord, PromptTaskRecord, PromptVersionRecord } from './store/prompt-records.js';
export type { Checkpoint, Durability, Store, WebhookAnswer } from './store/store.js';

// Swarms (F5): versioned shared context, patches, subscriptions, budgets and the ledger.
export type { AuditReport } from './swarm/audit.js';
export type { SwarmBudgets } from './swarm/budgets.js';
export type { SwarmChange } from './swarm/changes.js';
export type { SwarmContext } from './swarm/context.js';
export type { ChangeFilter } from './swarm/filters.js';
export { applyPatch, type PatchOp } from './swarm/patch.js';
export type { SubscribeOptions, Subscription } from './swarm/subscriptions.js';
export type { Swarm, SwarmsApi } from './swarm/swarms.js';
export { verifyWebhookSignature } from './webhook/signature.js';
export type { WebhookOptions, WebhooksApi } from './webhook/webhooks.js';
