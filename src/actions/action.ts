/**
 * Actions: deterministic steps registered by name with zod schemas and a cost.
 *
 * @example
 * const lookup = defineAction({
 *   name: 'crm.lookup',
 *   input: z.object({ email: z.string().email() }),
 *   cost: 2,
 *   run: async ({ email }, ctx) => crm.find(email, { idempotencyKey: ctx.idempotencyKey }),
 * });
 */
import type { z } from 'zod';
import type { RetryPolicy } from '../flow/compiled.js';

/** Severity of an action's log line; the runtime treats a missing level as `info`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ActionContext {
  readonly runId: string;
  readonly nodeId: string;
  readonly attempt: number;
  /** `runId:nodeId:attempt:branch` — stable across re-executions after a crash. */
  readonly idempotencyKey: string;
  /** Aborted when the step is cancelled, times out or the run stops. */
  readonly signal: AbortSignal;
  /** Credits actually spent, when they differ from the estimate. */
  reportCost(credits: number): void;
  log(message: string, data?: unknown, level?: LogLevel): void;
}

/**
 * Written as a method type so that it is bivariant in `I`, like `run`: a typed action
 * (`ActionDefinition<{ email: string }>`) then fits where any action is expected
 * (`ActionDefinition[]`, a registry) without a cast.
 */
export type CostEstimate<I> = { estimate(input: I): number }['estimate'];

export interface ActionDefinition<I = unknown, O = unknown> {
  readonly name: string;
  readonly description?: string;
  readonly input: z.ZodType<I>;
  readonly output?: z.ZodType<O>;
  /** Credits per call: fixed, or estimated from the input before the step starts. */
  readonly cost?: number | CostEstimate<I>;
  /** Default timeout in ms (a node's `timeout` wins). */
  readonly timeout?: number;
  /** Default retry policy (a node's `retry` wins). */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * What the run's log may keep of an input (its `step.started` event): the input with its
   * secrets taken out. It gets the input as the flow gave it, before `input` parsed it.
   */
  readonly redact?: (input: unknown) => unknown;
  run(input: I, ctx: ActionContext): Promise<O> | O;
}

/** Typed identity: keeps `I`/`O` inferred from the zod schemas. */
export function defineAction<I, O>(definition: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return definition;
}

/** What flow validation and compilation need to know about actions. */
export interface ActionCatalog {
  has(name: string): boolean;
  get(name: string): ActionDefinition<unknown, unknown> | undefined;
}
