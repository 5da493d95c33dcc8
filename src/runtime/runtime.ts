/**
 * The shell around `advance()`: keeps the runs that have work in flight in memory, feeds them
 * events one at a time, commits each transition's checkpoint (grouped across runs), and only
 * then carries out its effects — steps, timers, child runs. Runs with nothing in flight are
 * dropped from memory and loaded again when a signal, callback or timer arrives for them.
 *
 * This is the embedded runtime (one process owns the store). On a store many processes share,
 * `SharedRuntime` (shared-runtime.ts) adds leases, fencing and inboxes through the protected
 * hooks below.
 */
import type { ActionRegistry } from '../actions/registry.js';
import { isThenable } from '../actions/registry.js';
import type { Bus } from '../bus/bus.js';
import { advance } from '../engine/advance.js';
import { createRunState, snapshotState } from '../engine/run-state.js';
import type { Effect, EngineEvent, RunMeta, RunOptions, RunState, StepUnit, Transition } from '../engine/types.js';
import { notFound, RequestError, RunloomError, toErrorInfo } from '../errors.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Mutable } from '../mutable.js';
import type { Checkpoint, Store } from '../store/store.js';
import { checkpointOf, markOf, settledStep } from './checkpoint.js';
import { type ChildHost, cancelChild, reportToParent, startChild } from './children.js';
import { type Clock, createIds, type Ids, systemClock } from './clock.js';
import { createCommitter } from './committer.js';
import { type Executors, type StepOutcome, taskExecutor } from './executors.js';
import { type ForkRequest, forkCheckpoint } from './fork.js';
import { durableSnapshot, type LiveRun, loadStoredRun, type StoredRun, whenDurable } from './live-run.js';
import { DEFAULT_OUTPUT_LIMITS, type OutputLimits } from './output-limits.js';
import { pendingWork, type StepEffect } from './pending-work.js';
import { ReadySteps } from './ready-steps.js';
import { RecentRuns } from './recent-runs.js';
import { activityOf, StepCall, stepResultEvent } from './step-call.js';
import { StepCalls } from './step-calls.js';
import { createTimerScheduler } from './timers.js';
import { Watchers } from './watchers.js';

export type { LiveRun } from './live-run.js';

const stepGone = (call: StepCall) =>
  new RunloomError(
    'STEP_GONE',
    `step '${call.nodeId}' of run ${call.runId} is no longer executing here (cancelled or taken over)`,
  );
export type FlowResolver = (flowId: string, version?: number) => Promise<CompiledFlow>;

/** Ended runs whose state reads are answered without the store. */
const RECENT_RUNS = 2_048;

/** A start with an id a run already has (`details.runId` names it). */
const runExists = (runId: string) => new RequestError('RUN_EXISTS', `run '${runId}' already exists`, { details: { runId } });

/** What a child's start reads of its state: nothing (its parent learns of it through events). */
const ignore = (): undefined => undefined;

export interface RuntimeOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly actions: ActionRegistry;
  readonly resolveFlow: FlowResolver;
  readonly executors?: Executors;
  readonly clock?: Clock;
  readonly ids?: Ids;
  readonly log?: (message: string, data?: unknown) => void;
  /** What a step's output may be (larger or deeper fails the step): default 16 MiB, 512 levels. */
  readonly outputLimits?: Partial<OutputLimits>;
}

export interface StartRequest {
  readonly flow: CompiledFlow;
  readonly input: unknown;
  readonly options?: RunOptions;
  readonly parent?: RunMeta['parent'];
  readonly id?: string;
  readonly workspace?: string;
}

export class Runtime {
  protected readonly live = new Map<string, LiveRun>();
  private readonly loading = new Map<string, Promise<LiveRun>>();
  /** Runs that ended here lately: their final states, for reads right after. */
  protected readonly recent = new RecentRuns(RECENT_RUNS);
  private readonly watchers: Watchers;
  private readonly committer;
  /** Results of steps that finished synchronously, applied after the transition that started them. */
  private readonly ready = new ReadySteps((live, call, result, error) => this.stepEnded(live, call, result, error));
  protected readonly timers;
  protected readonly executors: Executors;
  protected readonly clock: Clock;
  private readonly ids: Ids;
  protected readonly log: (message: string, data?: unknown) => void;
  protected readonly outputLimits: OutputLimits;
  protected closed = false;
  private readonly children: ChildHost;
  /** The fence a run created here is held with (shared stores: 1). */
  protected readonly createdFence: number | undefined = undefined;

  /** `crossProcess`: runs may advance in other processes (waiters also listen to the bus). */
  constructor(
    protected readonly options: RuntimeOptions,
    crossProcess = false,
  ) {
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? createIds();
    this.log = options.log ?? (() => {});
    this.outputLimits = { ...DEFAULT_OUTPUT_LIMITS, ...options.outputLimits };
    this.executors = { task: taskExecutor(options.actions), ...options.executors };
    this.committer = createCommitter(options.store);
    this.timers = createTimerScheduler(
      () => this.clock.now(),
      (runId, seq) => this.deliver(runId, { type: 'timer.fired', at: this.clock.now(), seq }),
    );
    this.watchers = new Watchers(
      options.bus,
      crossProcess,
      // A run advancing here notifies on its own commits: a waiter waits for them, no store read.
      (runId) => {
        const live = this.live.get(runId);
        return live ? this.durable(live) : this.get(runId);
      },
      (runId) => this.live.has(runId),
      (runId) => {
        const live = this.live.get(runId);
        return live !== undefined && live.uncommitted === 0 ? live.state : undefined;
      },
    );
    this.children = {
      store: options.store,
      resolveFlow: options.resolveFlow,
      start: (request) => this.start(request, ignore),
      get: (runId) => this.get(runId),
      deliver: (runId, event) => this.deliver(runId, event),
      now: () => this.clock.now(),
      isClosed: () => this.closed,
    };
  }

  /** Re-arms durable timers and resumes every run that was running when the process stopped. */
  async recover(): Promise<number> {
    for (const timer of await this.options.store.dueTimers(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      this.timers.schedule(timer.runId, timer.seq, timer.fireAt);
    }
    // Running runs, and parked ones with a step or child in flight (a parent may have been
    // stopped before its child's first checkpoint): loading one does its pending work again.
    const ids = await this.options.store.listActiveRunIds();
    for (const runId of ids) {
      const live = await this.load(runId);
      const status = live.state.status;
      if (status === 'running' || status === 'queued')
        await this.applyAndWait(live, { type: 'run.recovered', at: this.clock.now() });
    }
    return ids.length;
  }

  /**
   * Starts a run; resolves with what `read` makes of its state once its first checkpoint is
   * durable (later ones too, when its first steps finished synchronously). `read` sees the run's
   * own state, which changes later: it copies what it keeps (`snapshotState` copies it all).
   */
  async start<T>(request: StartRequest, read: (state: RunState) => T): Promise<T> {
    const meta: Mutable<RunMeta> = {
      id: request.id ?? this.ids.runId(),
      flowId: request.flow.id,
      flowVersion: request.flow.version,
      createdAt: this.clock.now(),
    };
    // Set only when given: a run's meta is stored as it is, and reloaded states must equal it.
    if (request.parent) meta.parent = request.parent;
    if (request.options) meta.options = request.options;
    if (request.workspace !== undefined) meta.workspace = request.workspace;
    // A run of this id held here (or being loaded) is never replaced by a second one: the
    // engine would lose the first's steps and waiters. Refused once its first checkpoint is
    // written or refused, so the caller can read the run then.
    const held = this.live.get(meta.id);
    if (held || this.loading.has(meta.id)) {
      if (held) await whenDurable(held, ignore).catch(() => {});
      throw runExists(meta.id);
    }
    const live: LiveRun = { state: createRunState(meta, request.flow), flow: request.flow, uncommitted: 0 };
    if (this.createdFence !== undefined) live.fence = this.createdFence;
    // In the map before it applies: a synchronous store's commit carries out its effects at once.
    this.live.set(meta.id, live);
    try {
      // advance() refuses bad input by throwing here, before anything is stored.
      this.apply(live, { type: 'run.started', at: meta.createdAt, input: request.input }, true);
    } catch (error) {
      if (this.live.get(meta.id) === live) this.forget(meta.id, live);
      throw error;
    }
    if (request.id === undefined) return whenDurable(live, read);
    return whenDurable(live, read).catch((error) => this.startRefused(meta.id, error));
  }

  /**
   * A start with a chosen id whose first checkpoint the store refused (the refused run already
   * left memory, see `committed`): when a run of that id exists — another process created it
   * first (an idempotency key sent to two servers at once) — the caller learns that, not the
   * store's conflict.
   */
  private async startRefused(runId: string, error: unknown): Promise<never> {
    if (error instanceof RunloomError && error.code === 'STORE_CONFLICT' && (await this.options.store.loadRun(runId))) {
      throw runExists(runId);
    }
    throw error;
  }

  /**
   * Forks a run at an event of its log (see fork.ts): the new run's first checkpoint holds the
   * copied log; once durable, the fork goes on here like a run loaded after a crash.
   */
  async fork<T>(request: ForkRequest, read: (state: RunState) => T): Promise<T> {
    const source = await this.get(request.runId);
    if (!source) throw notFound('run', request.runId);
    const flow = await this.options.resolveFlow(source.meta.flowId, source.meta.flowVersion);
    // The whole log: the transition that logged event `atSeq` may have logged more after it.
    const log = await this.options.store.readEvents(request.runId, 0);
    const id = this.ids.runId();
    const first = forkCheckpoint(source.meta, flow, log, request, id, this.clock.now());
    const live: LiveRun = { state: first.state, flow, uncommitted: 0 };
    if (this.createdFence !== undefined) live.fence = this.createdFence;
    await this.options.store.commit([this.seal(live, first)]);
    live.mark = markOf(first.state, first.active === true);
    const view = read(snapshotState(first.state));
    for (const timer of first.timersSet) this.timers.schedule(id, timer.seq, timer.fireAt);
    if (first.active) {
      this.live.set(id, live);
      this.reissue(live);
    }
    return view;
  }

  /** Feeds an event to a run (loading it if needed); resolves once its checkpoint is durable. */
  async send(runId: string, event: EngineEvent): Promise<RunState> {
    const live = await this.load(runId);
    return this.applyAndWait(live, event);
  }

  /**
   * The run's current durable state, as a snapshot its progress does not change. Never a state
   * whose checkpoint is still being written (a crash could take it back): while a live run has
   * commits in flight, a persistent store has what is durable; a memory store's commits land
   * within the event-loop turn, so the read waits for them.
   */
  async get(runId: string): Promise<RunState | undefined> {
    const live = this.live.get(runId);
    if (live && (live.uncommitted === 0 || !this.options.store.capabilities.persistent)) return this.durable(live);
    const recent = live ? undefined : this.recent.get(runId);
    if (recent) return snapshotState(recent);
    return (await this.loadStored(runId))?.state;
  }

  /** Runs deleted from the store (retention): what this process kept of them goes too. */
  forgetDeleted(runIds: readonly string[]): void {
    this.recent.forget(runIds);
  }

  /** A live run's state once its commits in flight land; the store's if one of them fails. */
  private async durable(live: LiveRun): Promise<RunState | undefined> {
    try {
      return await durableSnapshot(live);
    } catch {
      return (await this.loadStored(live.state.meta.id))?.state;
    }
  }

  /** The run as the store has it: its last snapshot with the events logged after it folded in. */
  protected loadStored(runId: string): Promise<StoredRun | undefined> {
    return loadStoredRun(this.options.store, this.options.resolveFlow, runId);
  }

  async flowOf(runId: string): Promise<CompiledFlow> {
    const live = this.live.get(runId);
    if (live) return live.flow;
    const state = await this.options.store.loadRun(runId);
    if (!state) throw notFound('run', runId);
    return this.options.resolveFlow(state.meta.flowId, state.meta.flowVersion);
  }

  /** Resolves with the first state (now or later) that satisfies `until`. */
  waitFor(runId: string, until: (state: RunState) => boolean): Promise<RunState> {
    return this.watchers.waitFor(runId, until);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.close();
    for (const live of this.live.values()) live.calls?.abortAll();
    await this.committer.drain();
  }

  // ------------------------------------------------------------------------------ internals

  private load(runId: string): Promise<LiveRun> {
    const cached = this.live.get(runId);
    if (cached) return Promise.resolve(cached);
    let loading = this.loading.get(runId);
    if (!loading) {
      loading = (async () => {
        const stored = await this.loadStored(runId);
        if (!stored) throw notFound('run', runId);
        const { state, flow } = stored;
        const raced = this.live.get(runId);
        if (raced) return raced;
        const live: LiveRun = { state, flow, uncommitted: 0 };
        this.live.set(runId, live);
        this.reissue(live);
        return live;
      })().finally(() => this.loading.delete(runId));
      this.loading.set(runId, loading);
    }
    return loading;
  }

  /** Work a loaded run was doing when its process stopped is done again (steps are at-least-once). */
  protected reissue(live: LiveRun): void {
    const work = pendingWork(live.state, live.flow);
    for (const step of work.steps) this.executeStep(live, step);
    // Idempotent: starts a child only if the crash came before its first checkpoint.
    for (const child of work.children) void startChild(this.children, live.state.meta, child.seq, child.start);
  }

  /**
   * Applies an event; resolves with a snapshot of the run's state once it (or, for a no-op, its
   * last state) is durable.
   */
  protected async applyAndWait(live: LiveRun, event: EngineEvent): Promise<RunState> {
    this.apply(live, event);
    return durableSnapshot(live);
  }

  /**
   * Advances the run and enqueues the checkpoint; effects follow once it is durable (with a
   * store that commits synchronously, before this returns). Throws (a RequestError) when the
   * engine refuses the event, before anything changes. Returns whether the event changed the run.
   */
  protected apply(live: LiveRun, event: EngineEvent, created = false, inboxId?: number): boolean {
    this.ready.hold();
    try {
      return this.transition(live, event, created, inboxId);
    } finally {
      this.ready.release();
    }
  }

  private transition(live: LiveRun, event: EngineEvent, created: boolean, inboxId: number | undefined): boolean {
    const runId = live.state.meta.id;
    const settled = settledStep(live.state, event);
    let transition: Transition;
    try {
      transition = advance(live.state, event, live.flow);
    } catch (error) {
      // A refusal changes nothing; anything else is a bug that may have left the state half-way.
      if (!(error instanceof RequestError) && this.live.get(runId) === live) this.dropRun(runId, live);
      throw error;
    }
    if (!transition.changed) return false;
    live.uncommitted++;
    const checkpoint = this.seal(live, checkpointOf(event, settled, transition, live.flow, live.mark, created), inboxId);
    if (checkpoint.snapshot) live.mark = markOf(live.state, checkpoint.active === true);
    const now = this.committer.now;
    if (now === undefined) {
      this.committer.enqueue(checkpoint, (error) => this.committed(live, checkpoint, transition, error));
      return true;
    }
    let error: unknown;
    try {
      now(checkpoint);
    } catch (refused) {
      // Whatever was thrown counts as a refusal, even a falsy value.
      error = refused || new Error('the store refused the commit');
    }
    this.committed(live, checkpoint, transition, error);
    return true;
  }

  /** The checkpoint is durable (`error` undefined), or the store refused it. */
  private committed(live: LiveRun, checkpoint: Checkpoint, transition: Transition, error: unknown): void {
    const runId = live.state.meta.id;
    live.uncommitted--;
    if (error) {
      // Memory is ahead of the store now (or another worker holds the run): the store is the truth.
      if (this.live.get(runId) === live) this.dropRun(runId, live);
      this.log('commit failed', { runId, error: toErrorInfo(error) });
    } else {
      this.afterCommit(live, checkpoint, transition.effects, transition.events);
    }
    if (live.uncommitted === 0 && live.waiters) {
      const waiters = live.waiters;
      live.waiters = undefined;
      for (const waiter of waiters) waiter(error);
    }
  }

  /** What the store writes for a checkpoint (shared stores add the lease's terms). */
  protected seal(_live: LiveRun, checkpoint: Checkpoint, _inboxId?: number): Checkpoint {
    return checkpoint;
  }

  private afterCommit(
    live: LiveRun,
    checkpoint: Checkpoint,
    effects: readonly Effect[],
    events: Parameters<Bus['publishRunEvents']>[1],
  ): void {
    const runId = live.state.meta.id;
    this.options.bus.publishRunEvents(runId, events);
    for (const effect of effects) this.perform(live, effect);
    // With later transitions still being written, the state is ahead of this commit: watchers
    // and settling wait for the commit that catches up.
    if (live.uncommitted > 0) return;
    this.watchers.notify(runId, live.state);
    if (this.leaves(checkpoint) && this.live.get(runId) === live) this.settle(live, checkpoint);
  }

  /**
   * Whether the run leaves memory after this checkpoint, its last commit so far: when idle
   * (what `checkpointOf` already worked out as `active`).
   */
  protected leaves(checkpoint: Checkpoint): boolean {
    return checkpoint.active === false;
  }

  /** A run with nothing in flight leaves memory (an ended one's state stays at hand for reads). */
  protected settle(live: LiveRun, checkpoint: Checkpoint): void {
    this.recent.remember(live.state);
    this.forget(checkpoint.state.meta.id, live);
  }

  /** Forgets a run whose memory is no longer the truth (a failed commit): the store is. */
  protected dropRun(runId: string, live: LiveRun): void {
    this.forget(runId, live);
  }

  /** The one way a run leaves the map: its object is marked, for step calls that still hold it. */
  private forget(runId: string, live: LiveRun): void {
    this.live.delete(runId);
    live.gone = true;
  }

  /** Internal events (step results, timers, children): failures are logged, never thrown. */
  protected deliver(runId: string, event: EngineEvent): void {
    if (this.closed) return;
    const live = this.live.get(runId);
    if (live) this.applyInternal(live, event);
    else this.deliverAway(runId, event);
  }

  /** The hot path: the run is in memory, so the event applies now, without a promise. */
  private applyInternal(live: LiveRun, event: EngineEvent): void {
    try {
      this.apply(live, event);
    } catch (error) {
      this.refused(live.state.meta.id, event, error);
    }
  }

  /** An event for a run not in memory: load it, then apply. */
  protected deliverAway(runId: string, event: EngineEvent): void {
    this.load(runId).then(
      () => this.deliver(runId, event),
      (error) => this.refused(runId, event, error),
    );
  }

  protected refused(runId: string, event: EngineEvent, error: unknown): void {
    if (error instanceof RunloomError && error.code === 'RUN_STATUS') return;
    this.log('event not applied', { runId, type: event.type, error: toErrorInfo(error) });
  }

  protected perform(live: LiveRun, effect: Effect): void {
    const runId = live.state.meta.id;
    switch (effect.type) {
      case 'step.execute':
        this.executeStep(live, effect);
        return;
      case 'step.cancel':
        live.calls?.get(effect.seq)?.abort();
        return;
      case 'timer.start':
        this.timers.schedule(runId, effect.seq, effect.fireAt);
        return;
      case 'timer.cancel':
        this.timers.clear(runId, effect.seq);
        return;
      case 'child.start':
        void startChild(this.children, live.state.meta, effect.seq, effect);
        return;
      case 'child.cancel':
        void cancelChild(this.children, runId, effect.seq);
        return;
      case 'run.finished':
        reportToParent(this.children, live.state);
        return;
    }
  }

  protected executeStep(live: LiveRun, effect: StepEffect): void {
    const runId = live.state.meta.id;
    const node = activityOf(live.flow, effect.nodeId);
    const call = new StepCall(runId, node, effect, this.log, this.recordUnit);
    live.calls ??= new StepCalls();
    live.calls.add(call);
    const executor = this.executors[node.type];
    let run: StepOutcome | Promise<StepOutcome>;
    try {
      if (!executor) {
        throw new RunloomError('NOT_EXECUTABLE', `no executor is registered for '${node.type}' nodes (step '${effect.nodeId}')`);
      }
      run = executor(call);
    } catch (error) {
      this.ready.push(live, call, undefined, error);
      return;
    }
    if (!isThenable(run)) this.ready.push(live, call, run, undefined);
    else {
      run.then(
        (result) => this.stepEnded(live, call, result, undefined),
        (error: unknown) => this.stepEnded(live, call, undefined, error),
      );
    }
  }

  /**
   * A step's unit of work goes into its run's log like any event (`step.progressed`, in the
   * run's next checkpoint); the step goes on once it is durable. Refused when the step is no
   * longer executing here (cancelled, or the run left memory after a failed commit).
   */
  private readonly recordUnit = (call: StepCall, unit: StepUnit): Promise<void> => {
    const live = this.live.get(call.runId);
    if (!live || this.closed || call.aborted || live.calls?.get(call.seq) !== call) {
      return Promise.reject(stepGone(call));
    }
    let applied: boolean;
    try {
      applied = this.apply(live, { type: 'step.progressed', at: this.clock.now(), seq: call.seq, unit });
    } catch (error) {
      return Promise.reject(error);
    }
    if (!applied) return Promise.reject(stepGone(call));
    return whenDurable(live, ignore);
  };

  private stepEnded(live: LiveRun, call: StepCall, result: StepOutcome | undefined, error: unknown): void {
    live.calls?.remove(call);
    if (call.aborted || this.closed) return;
    const event = stepResultEvent(call, this.clock.now(), result, error, this.outputLimits);
    // The run's object, unless the runtime let go of it: then the run is loaded again (a run
    // dropped after a failed commit comes back this way, and runs its pending steps again).
    if (live.gone) this.deliver(call.runId, event);
    else this.applyInternal(live, event);
  }
}
