/**
 * A tiny, deterministic test driver for the pure engine core: it starts a run, "executes"
 * effects in-process (actions are plain functions keyed by action name, timers live on a
 * virtual clock, child runs wait to be completed by the test) and records every state, event
 * and effect so that a test reads like a scenario and can replay the log afterwards.
 *
 * @example
 * const run = startRun(flow(`...yaml...`, { 'crm.lookup': (input) => ({ tier: 'gold' }) }), { input: { email: 'a@b.c' } });
 * run.drain();                 // executes every step in flight, oldest first
 * run.tick(60_000);            // fires the timers due in the next minute
 * expect(run.state.status).toBe('completed');
 * expect(run.replayed()).toEqual(run.state);
 */
import { z } from 'zod';
import type { ActionCatalog, ActionDefinition } from '../../src/actions/action.js';
import type { Effect, EngineEvent, RunEvent, RunMeta, RunOptions, RunState, Transition } from '../../src/engine/index.js';
import { advance, createRunState, replay, snapshotState } from '../../src/engine/index.js';
import type { ErrorInfo } from '../../src/errors.js';
import { RequestError, toErrorInfo } from '../../src/errors.js';
import type { CompiledFlow, LimitAction, LimitName, Limits, RetryPolicy } from '../../src/flow/index.js';
import { compileFlow, type FlowDefinition, loadFlow, parseFlowText } from '../../src/flow/index.js';

export type StepEffect = Extract<Effect, { type: 'step.execute' }>;
export type ChildEffect = Extract<Effect, { type: 'child.start' }>;

export interface StepContext {
  readonly seq: number;
  readonly nodeId: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
  readonly item?: number;
  /** Virtual time at which the step runs. */
  readonly now: number;
}

/** Returned by a handler: the step stays in flight until the test completes or fails it. */
export const HOLD: unique symbol = Symbol('hold');

/** Returns the step's output; throwing fails the step (see `stepError`); HOLD keeps it in flight. */
// biome-ignore lint/suspicious/noExplicitAny: handlers read whatever input the flow maps.
export type StepHandler = (input: any, ctx: StepContext) => unknown;

export interface TestAction {
  readonly run: StepHandler;
  readonly cost?: number | ((input: unknown) => number);
  readonly retry?: Partial<RetryPolicy>;
  readonly timeout?: number;
}

export type Actions = Readonly<Record<string, StepHandler | TestAction>>;

/** An error a handler throws to fail its step with a code (retryable unless said otherwise). */
export function stepError(code: string, message = code, retryable = true): Error {
  return Object.assign(new Error(message), { code, retryable });
}

/** The RequestError `fn` is refused with (it fails the test when `fn` is not refused). */
export function refusal(fn: () => unknown): RequestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const asAction = (spec: StepHandler | TestAction): TestAction => (typeof spec === 'function' ? { run: spec } : spec);

/** An ActionCatalog over test actions (input schema `z.any()`), as validation and compilation need it. */
export function actionCatalog(actions: Actions): ActionCatalog {
  const defs = new Map<string, ActionDefinition>();
  for (const [name, spec] of Object.entries(actions)) {
    const action = asAction(spec);
    // Validation and compilation read the catalog; the driver calls the handlers itself.
    const run = () => {
      throw new Error(`action '${name}' is executed by the test driver`);
    };
    defs.set(name, { name, input: z.any(), cost: action.cost, retry: action.retry, timeout: action.timeout, run });
  }
  return { has: (name) => defs.has(name), get: (name) => defs.get(name) };
}

export interface TestFlow {
  readonly compiled: CompiledFlow;
  readonly actions: Actions;
}

/** Loads (parses, validates, compiles) a `runloom/v1` flow from YAML/JSON text or an object. */
export function flow(source: string | object, actions: Actions = {}): TestFlow {
  return { compiled: loadFlow(source, { actions: actionCatalog(actions), sourceName: 'test.yaml' }), actions };
}

/**
 * Compiles without validating: for engine rules that validation normally keeps a flow away
 * from (a decision without default…), which the engine must still handle safely.
 */
export function unvalidatedFlow(source: string, actions: Actions = {}): TestFlow {
  const def = parseFlowText(source, 'test.yaml') as FlowDefinition;
  return { compiled: compileFlow(def, 1, { actions: actionCatalog(actions) }), actions };
}

export interface RunDriverOptions {
  readonly input?: unknown;
  readonly runId?: string;
  /** Virtual time of run.started (default 0). */
  readonly at?: number;
  readonly options?: RunOptions;
  /** Execute steps as soon as they are emitted (default true). */
  readonly auto?: boolean;
  /** Virtual ms each executed step takes (default 0). */
  readonly stepMs?: number;
  /** Which in-flight step runs next (index into the list, oldest first); default the oldest. */
  readonly pick?: (steps: readonly StepEffect[]) => number;
  /**
   * Deep-freeze every recorded snapshot, so that editing a record (token, pending effect, step
   * record, event data) after it was made throws: `advance()` may only change the state's own
   * collections (default true).
   */
  readonly freeze?: boolean;
  /** Pass every state through JSON before the next event, as a store would (default false). */
  readonly json?: boolean;
  /** Send run.started at once (default true). */
  readonly start?: boolean;
}

type Input = EngineEvent extends infer E ? (E extends EngineEvent ? Omit<E, 'at'> & { at?: number } : never) : never;

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

export class RunDriver {
  readonly flow: CompiledFlow;
  readonly meta: RunMeta;
  state: RunState;
  now: number;
  /** The whole log, in order. */
  readonly events: RunEvent[] = [];
  /** A snapshot of every state, starting with the created one; one per accepted event. */
  readonly states: RunState[] = [];
  /** Every effect emitted, in order. */
  readonly effects: Effect[] = [];
  /** Steps in flight by seq (in emission order). */
  readonly steps = new Map<number, StepEffect>();
  /** Steps the handler asked to HOLD. */
  readonly held = new Set<number>();
  readonly timers = new Map<number, number>();
  readonly children = new Map<number, ChildEffect>();
  /** Most steps in flight at once. */
  peakSteps = 0;
  finished?: Extract<Effect, { type: 'run.finished' }>;
  private readonly actions: Actions;
  private readonly opts: RunDriverOptions;

  constructor(test: TestFlow, opts: RunDriverOptions = {}) {
    this.flow = test.compiled;
    this.actions = test.actions;
    this.opts = opts;
    this.now = opts.at ?? 0;
    this.meta = {
      id: opts.runId ?? 'run-1',
      flowId: this.flow.id,
      flowVersion: this.flow.version,
      createdAt: this.now,
      options: opts.options,
    };
    this.state = this.keep(createRunState(this.meta, this.flow));
  }

  /** The next event applies to `state` (through JSON first with `json`); its snapshot joins the history. */
  private keep(state: RunState): RunState {
    const kept = this.opts.json ? (JSON.parse(JSON.stringify(state)) as RunState) : state;
    const snapshot = snapshotState(kept);
    this.states.push(this.opts.freeze === false ? snapshot : deepFreeze(snapshot));
    return kept;
  }

  /** Applies one engine event at `now` (or its own `at`); refused commands throw RequestError. */
  send(input: Input): Transition {
    const at = input.at ?? this.now;
    if (at > this.now) this.now = at;
    const event = { ...input, at } as EngineEvent;
    const t = advance(this.state, event, this.flow);
    this.record(t);
    if (this.opts.auto !== false) this.drain();
    return t;
  }

  private record(t: Transition): void {
    if (!t.changed) return;
    let seq = this.events.length;
    for (const event of t.events) {
      if (event.seq !== ++seq) throw new Error(`event ${event.type} has seq ${event.seq}, expected ${seq}`);
      this.events.push(event);
    }
    if (t.state.eventSeq !== this.events.length)
      throw new Error(`state.eventSeq ${t.state.eventSeq} != ${this.events.length} events`);
    this.state = this.keep(t.state);
    for (const effect of t.effects) {
      this.effects.push(effect);
      switch (effect.type) {
        case 'step.execute':
          this.steps.set(effect.seq, effect);
          break;
        case 'step.cancel':
          this.steps.delete(effect.seq);
          this.held.delete(effect.seq);
          break;
        case 'timer.start':
          this.timers.set(effect.seq, effect.fireAt);
          break;
        case 'timer.cancel':
          this.timers.delete(effect.seq);
          break;
        case 'child.start':
          this.children.set(effect.seq, effect);
          break;
        case 'child.cancel':
          this.children.delete(effect.seq);
          break;
        case 'run.finished':
          this.finished = effect;
          break;
      }
    }
    this.peakSteps = Math.max(this.peakSteps, this.steps.size);
  }

  /** The action (or, for ai/ux nodes, the node id) a step runs. */
  actionOf(step: StepEffect): string {
    const node = this.flow.nodes[this.flow.nodeIndex.get(step.nodeId) as number];
    const work = node.type === 'map' ? node.body : node;
    return 'action' in work && work.action ? work.action : step.nodeId;
  }

  /** Runs in-flight steps through their handlers (in `pick` order) until only held ones remain. */
  drain(): void {
    for (;;) {
      const runnable = [...this.steps.values()].filter((s) => !this.held.has(s.seq));
      if (runnable.length === 0) return;
      const step = runnable[this.opts.pick ? this.opts.pick(runnable) : 0];
      this.execute(step);
    }
  }

  /** Executes one step in flight through its handler (by seq or node id), then drains if auto. */
  run(target: number | string): void {
    this.execute(this.stepFor(target));
    if (this.opts.auto !== false) this.drain();
  }

  private execute(step: StepEffect): void {
    const spec = this.actions[this.actionOf(step)];
    if (!spec) throw new Error(`no handler for action '${this.actionOf(step)}' (node '${step.nodeId}')`);
    this.now += this.opts.stepMs ?? 0;
    let output: unknown;
    try {
      output = asAction(spec).run(step.input, {
        seq: step.seq,
        nodeId: step.nodeId,
        attempt: step.attempt,
        idempotencyKey: step.idempotencyKey,
        item: step.item,
        now: this.now,
      });
    } catch (error) {
      this.steps.delete(step.seq);
      this.apply({ type: 'step.failed', at: this.now, seq: step.seq, error: toErrorInfo(error) });
      return;
    }
    if (output === HOLD) {
      this.held.add(step.seq);
      return;
    }
    this.steps.delete(step.seq);
    this.apply({ type: 'step.completed', at: this.now, seq: step.seq, output });
  }

  /** Applies without draining (drain loops itself). */
  private apply(event: EngineEvent): void {
    this.record(advance(this.state, event, this.flow));
  }

  private stepFor(target: number | string): StepEffect {
    const step = typeof target === 'number' ? this.steps.get(target) : [...this.steps.values()].find((s) => s.nodeId === target);
    if (!step) throw new Error(`no step in flight for ${JSON.stringify(target)}`);
    return step;
  }

  /** Completes a step in flight (by seq or node id) with `output`. */
  complete(target: number | string, output: unknown, cost?: number): Transition {
    const step = this.stepFor(target);
    this.steps.delete(step.seq);
    this.held.delete(step.seq);
    return this.send({ type: 'step.completed', seq: step.seq, output, ...(cost === undefined ? {} : { cost }) });
  }

  /** Fails a step in flight (by seq or node id). */
  fail(target: number | string, error: ErrorInfo, cost?: number): Transition {
    const step = this.stepFor(target);
    this.steps.delete(step.seq);
    this.held.delete(step.seq);
    return this.send({ type: 'step.failed', seq: step.seq, error, ...(cost === undefined ? {} : { cost }) });
  }

  /** Moves the virtual clock by `ms`, firing due timers in time order (draining steps after each). */
  tick(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let next: [number, number] | undefined;
      for (const [seq, fireAt] of this.timers) if (fireAt <= until && (!next || fireAt < next[1])) next = [seq, fireAt];
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1]);
      this.send({ type: 'timer.fired', seq: next[0] });
    }
    this.now = until;
  }

  /** Fires the earliest pending timer (moving the clock to it). */
  fireNextTimer(): void {
    let next: [number, number] | undefined;
    for (const [seq, fireAt] of this.timers) if (!next || fireAt < next[1]) next = [seq, fireAt];
    if (!next) throw new Error('no timer pending');
    this.tick(Math.max(0, next[1] - this.now));
  }

  signal(name: string, payload?: unknown): Transition {
    return this.send({ type: 'signal.received', name, payload });
  }
  callback(nodeId: string, status: 'completed' | 'failed', value?: unknown): Transition {
    return this.send(
      status === 'completed'
        ? { type: 'callback.received', nodeId, status, output: value }
        : { type: 'callback.received', nodeId, status, error: value as ErrorInfo },
    );
  }
  decide(nodeId: string, to: string, by?: string): Transition {
    return this.send({ type: 'decision.made', nodeId, to, ...(by ? { by } : {}) });
  }
  pause(): Transition {
    return this.send({ type: 'pause.requested' });
  }
  resume(): Transition {
    return this.send({ type: 'resume.requested' });
  }
  cancel(): Transition {
    return this.send({ type: 'cancel.requested' });
  }
  retry(nodeId?: string): Transition {
    return this.send({ type: 'retry.requested', ...(nodeId ? { nodeId } : {}) });
  }
  raise(limits: Partial<Limits>, onLimit?: Partial<Record<LimitName, LimitAction>>): Transition {
    return this.send({ type: 'limits.raised', limits, ...(onLimit ? { onLimit } : {}) });
  }
  completeChild(seq: number, output: unknown, usage = { steps: 0, credits: 0 }): Transition {
    this.children.delete(seq);
    return this.send({ type: 'child.completed', seq, output, usage });
  }
  failChild(seq: number, error: ErrorInfo, usage = { steps: 0, credits: 0 }): Transition {
    this.children.delete(seq);
    return this.send({ type: 'child.failed', seq, error, usage });
  }

  /** Log entries of one type (optionally of one node). */
  eventsOf(type: string, nodeId?: string): RunEvent[] {
    return this.events.filter((e) => e.type === type && (nodeId === undefined || e.nodeId === nodeId));
  }
  count(type: string, nodeId?: string): number {
    return this.eventsOf(type, nodeId).length;
  }
  effectsOf<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
  /** Node ids of step.started events, in order. */
  started(): string[] {
    return this.eventsOf('step.started').map((e) => e.nodeId as string);
  }

  /** The state folded again from the log. */
  replayed(untilSeq?: number): RunState {
    return replay(this.meta, this.flow, this.events, untilSeq);
  }
}

/** Creates a run and (unless `start: false`) sends run.started with `input`. */
export function startRun(test: TestFlow, opts: RunDriverOptions = {}): RunDriver {
  const run = new RunDriver(test, opts);
  if (opts.start !== false) run.send({ type: 'run.started', input: opts.input ?? {} });
  return run;
}

/** The error info a handler-less failure carries. */
export const failure = (code: string, retryable = true, message = code): ErrorInfo => ({ code, message, retryable });
