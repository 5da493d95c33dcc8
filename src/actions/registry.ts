/**
 * The action registry: actions by name, and `call` (`invoke` is its promise form), the one
 * place where an action runs.
 *
 * `call` validates the input, runs the action with a fresh {@link StepContext}, validates the
 * output and enforces timeout and cancellation. It never coerces what the action throws: a
 * plain `Error` reaches the runtime unchanged, which coerces it once (`toErrorInfo`).
 *
 * Hot path: the engine targets 200,000 steps/s in memory, so a synchronous action without a
 * timeout costs one schema parse and one context object, and its result comes back as it is —
 * no promise, timer, closure or `Promise.race`. Timers and abort listeners exist only for steps
 * that need them.
 *
 * @example
 * const registry = createActionRegistry(builtinActions());
 * registry.register(lookup);
 * const { output, cost } = await registry.invoke('crm.lookup', { email: 'a@b.co' }, {
 *   runId, nodeId: 'lookup', attempt: 1, idempotencyKey: `${runId}:lookup:1:0`, signal, timeoutMs: 5_000,
 * });
 */
import { RunloomError } from '../errors.js';
import { type AbortWatcher, unwatch, watch } from './abort-watch.js';
import type { ActionCatalog, ActionDefinition } from './action.js';
import { cancelled, inputInvalid, outputInvalid, timedOut, unknownAction } from './action-errors.js';
import { StepContext, type StepIdentity } from './step-context.js';

/** What the runtime passes to `invoke`: the step's identity, signal, log sink and timeout. */
export interface InvokeContext extends StepIdentity {
  /** Wins over the action's own `timeout`. Absent, 0 or `Infinity`: no timeout. */
  readonly timeoutMs?: number;
}

export interface InvokeResult {
  readonly output: unknown;
  /** Credits the action reported with `ctx.reportCost` (summed); `undefined` when it reported none. */
  readonly cost: number | undefined;
}

export interface ActionRegistry extends ActionCatalog {
  /** Adds an action. Throws `ACTION_DUPLICATE` when the name is taken, `ACTION_INVALID` when malformed. */
  register<I, O>(definition: ActionDefinition<I, O>): void;
  /** Every registered action, in registration order. */
  list(): readonly ActionDefinition[];
  /**
   * Runs one step of an action. Rejects with `UNKNOWN_ACTION`, `INPUT_INVALID`,
   * `OUTPUT_INVALID`, `TIMEOUT` (retryable) or `CANCELLED`, or with whatever the action threw.
   */
  invoke(name: string, input: unknown, ctx: InvokeContext): Promise<InvokeResult>;
  /**
   * `invoke` for a caller that can use a result at once: a synchronous action's result comes
   * back as it is, not in a promise, and what fails before the action goes async is thrown.
   * The runtime applies such a step without a promise turn.
   */
  call(name: string, input: unknown, ctx: InvokeContext): InvokeResult | Promise<InvokeResult>;
}

const NAME = /^[A-Za-z][\w.-]*$/;
/** setTimeout fires at once for larger delays; a timeout that long is "no timeout" in practice. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Creates a registry, optionally pre-filled.
 *
 * @example
 * const registry = createActionRegistry([...builtinActions(), lookup]);
 */
export function createActionRegistry(actions: readonly ActionDefinition[] = []): ActionRegistry {
  const byName = new Map<string, ActionDefinition>();

  const registry: ActionRegistry = {
    has: (name) => byName.has(name),
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
    register(definition) {
      const def = definition as unknown as ActionDefinition;
      if (typeof def.name !== 'string' || !NAME.test(def.name)) {
        throw new RunloomError('ACTION_INVALID', `action name '${String(def.name)}' must match ${NAME}`);
      }
      if (typeof def.run !== 'function' || typeof def.input?.safeParse !== 'function') {
        throw new RunloomError('ACTION_INVALID', `action '${def.name}' needs a zod \`input\` schema and a \`run\` function`);
      }
      if (byName.has(def.name)) {
        throw new RunloomError('ACTION_DUPLICATE', `action '${def.name}' is already registered`, {
          details: { action: def.name },
        });
      }
      byName.set(def.name, def);
    },
    invoke(name, input, ctx) {
      try {
        const result = registry.call(name, input, ctx);
        return isThenable(result) ? result : Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    call(name, input, ctx) {
      const def = byName.get(name);
      if (def === undefined) throw unknownAction(name);
      return invokeAction(def, input, ctx);
    },
  };
  for (const action of actions) registry.register(action);
  return registry;
}

/** Runs `def` for one step, as `call` does (a synchronous result as it is, early failures thrown). */
function invokeAction(def: ActionDefinition, input: unknown, ctx: InvokeContext): InvokeResult | Promise<InvokeResult> {
  if (ctx.aborted ?? ctx.signal.aborted) throw cancelled(def.name, ctx.signal.reason);
  const parsed = def.input.safeParse(input);
  if (!parsed.success) throw inputInvalid(def.name, parsed.error);
  const timeoutMs = effectiveTimeout(ctx.timeoutMs ?? def.timeout);
  let step: StepContext;
  // With a timeout the step owns its signal, so that the timeout can abort it.
  if (timeoutMs === 0 && ctx instanceof StepContext) step = ctx;
  else {
    const sink = ctx instanceof StepContext ? ctx.logSink : ctx.log;
    step = new StepContext(ctx.runId, ctx.nodeId, ctx.attempt, ctx.idempotencyKey, sink, timeoutMs === 0 ? ctx : undefined);
  }
  const result = def.run(parsed.data, step);
  // A synchronous action has already finished: no timer or listener is ever armed for it,
  // even with a timeout (nothing could have interrupted it anyway).
  if (!isThenable(result)) return finish(def, result, step);
  return awaitAction(def, result, step, ctx, timeoutMs);
}

/** 0 means none: absent, 0, negative or infinite. Capped where setTimeout would misfire. */
function effectiveTimeout(ms: number | undefined): number {
  if (ms === undefined || !(ms > 0) || ms === Number.POSITIVE_INFINITY) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

/**
 * Settles the invoke of an async action: with its result, with CANCELLED when the caller's
 * signal aborts (even if the action ignores its signal), or with TIMEOUT when it has one.
 * A class with methods, and module-level timer callback, so a step allocates no named closures.
 */
class PendingStep implements AbortWatcher {
  settled = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The caller's context when it tells this step of an abort itself; else its signal is watched. */
  direct: StepContext | undefined = undefined;
  constructor(
    readonly def: ActionDefinition,
    readonly step: StepContext,
    readonly ctx: InvokeContext,
    readonly timeoutMs: number,
    readonly resolve: (result: InvokeResult) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  private stop(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.direct !== undefined) this.direct.unwatchAbort(this);
    else unwatch(this.ctx.signal, this);
    return true;
  }

  fulfil(value: unknown): void {
    if (!this.stop()) return;
    try {
      this.resolve(finish(this.def, value, this.step));
    } catch (error) {
      this.reject(error);
    }
  }

  fail(error: unknown): void {
    if (this.stop()) this.reject(error);
  }

  onAbort(reason: unknown): void {
    if (!this.stop()) return;
    this.reject(cancelled(this.def.name, reason));
    this.step.abort(reason);
  }

  onTimeout(): void {
    if (!this.stop()) return;
    const error = timedOut(this.def.name, this.timeoutMs);
    this.reject(error);
    this.step.abort(error);
  }
}

function fireTimeout(pending: PendingStep): void {
  pending.onTimeout();
}

function awaitAction(
  def: ActionDefinition,
  result: PromiseLike<unknown>,
  step: StepContext,
  ctx: InvokeContext,
  timeoutMs: number,
): Promise<InvokeResult> {
  return new Promise<InvokeResult>((resolve, reject) => {
    const pending = new PendingStep(def, step, ctx, timeoutMs, resolve, reject);
    // Armed once `run` has returned its promise: its synchronous prefix is not counted, which
    // spares every step a clock read (~100 ns) for a difference that is almost always nil.
    if (timeoutMs > 0) pending.timer = setTimeout(fireTimeout, timeoutMs, pending);
    // A context of ours says when it is aborted without an AbortSignal (the runtime's step
    // calls are): making one for every async step cost more than the rest of the step.
    if (ctx instanceof StepContext && ctx.watchAbort(pending)) pending.direct = ctx;
    else watch(ctx.signal, pending);
    result.then(
      (value) => pending.fulfil(value),
      (error: unknown) => pending.fail(error),
    );
  });
}

function finish(def: ActionDefinition, value: unknown, step: StepContext): InvokeResult {
  if (def.output === undefined) return { output: value, cost: step.cost };
  const parsed = def.output.safeParse(value);
  if (!parsed.success) throw outputInvalid(def.name, parsed.error);
  return { output: parsed.data, cost: step.cost };
}

export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Credits a step is expected to cost, checked against `maxCredits` before it starts: the
 * action's fixed `cost`, its `cost(input)` estimate, or 0. An estimate function receives the
 * parsed input; input its schema refuses estimates 0 (the step will fail with `INPUT_INVALID`).
 *
 * @example
 * estimateCost(httpRequest, { url: 'https://example.com' }) // 1
 */
export function estimateCost<I, O>(definition: ActionDefinition<I, O>, input: unknown): number {
  const { cost } = definition;
  if (typeof cost === 'number') return cost;
  if (typeof cost !== 'function') return 0;
  const parsed = definition.input.safeParse(input);
  if (!parsed.success) return 0;
  const estimate = cost(parsed.data);
  return Number.isFinite(estimate) && estimate > 0 ? estimate : 0;
}
