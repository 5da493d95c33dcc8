/**
 * The shell around `advance()`: keeps the runs that have work in flight in memory, feeds them
 * events one at a time, commits each transition's checkpoint (grouped across runs), and only
 * then carries out its effects — steps, timers, child runs. Runs with nothing in flight are
 * dropped from memory and loaded again when a signal, callback or timer arrives for them.
 *
 * On a shared store (PostgreSQL, many workers) a run lives in the memory of the one process
 * that holds its lease: every commit carries the lease's fence, events for runs held elsewhere
 * go to their inbox, and a process that is not a worker only relays — it applies an event under
 * a short lease and hands the run to the workers (see worker/worker.ts).
 */
import type { ActionRegistry } from '../actions/registry.js';
import type { Bus } from '../bus/bus.js';
import { advance } from '../engine/advance.js';
import { createRunState } from '../engine/run-state.js';
import {
  type Effect,
  type EngineEvent,
  type RunMeta,
  type RunOptions,
  type RunState,
  TERMINAL_STATUSES,
} from '../engine/types.js';
import { notFound, RunloomError, toErrorInfo } from '../errors.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Checkpoint, ClaimedRun, InboxItem, Leases, StepTask, Store } from '../store/store.js';
import { checkpointOf, isIdle } from './checkpoint.js';
import { type ChildHost, cancelChild, reportToParent, startChild } from './children.js';
import { type Clock, createIds, type Ids, systemClock } from './clock.js';
import { createCommitter } from './committer.js';
import { type Executors, type StepResult, taskExecutor } from './executors.js';
import { activityOf, type OfferedStepsHost, offerStep, runOfferedStep, stepResultEvent } from './offered-steps.js';
import { pendingWork } from './pending-work.js';
import { fencedCheckpoint, type SharedMode, wakeFor } from './shared-terms.js';
import { StepCall } from './step-call.js';
import { createTimerScheduler } from './timers.js';
import { type StateListener, Watchers } from './watchers.js';

export type { SharedMode } from './shared-terms.js';

export type FlowResolver = (flowId: string, version?: number) => Promise<CompiledFlow>;

export interface RuntimeOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly actions: ActionRegistry;
  readonly resolveFlow: FlowResolver;
  readonly executors?: Executors;
  readonly clock?: Clock;
  readonly ids?: Ids;
  readonly log?: (message: string, data?: unknown) => void;
  /** Set on a store with leases: this process's worker id, and whether it executes steps. */
  readonly shared?: SharedMode;
}

interface LiveRun {
  /** The latest state: what the next event applies to. May be ahead of the store. */
  state: RunState;
  /** The latest state known to be durable: what readers see (undefined until the run's first commit). */
  durable?: RunState;
  /** Checkpoints enqueued and not yet durable. */
  uncommitted: number;
  /** Called when `uncommitted` drops to 0 (a no-op event waits for the run's last commit). */
  waiters?: ((error?: unknown) => void)[];
  readonly flow: CompiledFlow;
  /** Shared store: the fence this process holds the run with. */
  fence?: number;
  /** Shared store: inbox items already applied (their deletion rides on a pending commit). */
  inboxApplied?: Set<number>;
}

export interface StartRequest {
  readonly flow: CompiledFlow;
  readonly input: unknown;
  readonly options?: RunOptions;
  readonly parent?: RunMeta['parent'];
  readonly id?: string;
}

export class Runtime {
  private readonly live = new Map<string, LiveRun>();
  private readonly loading = new Map<string, Promise<LiveRun>>();
  private readonly inflight = new Map<string, StepCall>();
  private readonly watchers: Watchers;
  private readonly committer;
  private readonly timers;
  private readonly executors: Executors;
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly log: (message: string, data?: unknown) => void;
  private closed = false;
  private readonly children: ChildHost;
  private readonly shared: SharedMode | undefined;
  private readonly leases: Leases | undefined;
  /** Shared: how steps this process cannot run reach the workers that can. */
  private readonly offered: OfferedStepsHost | undefined;

  constructor(private readonly options: RuntimeOptions) {
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? createIds();
    this.log = options.log ?? (() => {});
    this.shared = options.shared;
    if (this.shared && !options.store.leases) {
      throw new RunloomError('STORE_INVALID', 'shared mode needs a store with leases (PostgreSQL)');
    }
    this.leases = this.shared ? options.store.leases : undefined;
    this.executors = { task: taskExecutor(options.actions), ...options.executors };
    this.offered =
      this.shared && this.leases
        ? {
            leases: this.leases,
            bus: options.bus,
            owner: this.shared.owner,
            executors: this.executors,
            resolveFlow: options.resolveFlow,
            now: () => this.clock.now(),
            log: this.log,
          }
        : undefined;
    this.committer = createCommitter(options.store);
    this.timers = createTimerScheduler(
      () => this.clock.now(),
      (runId, seq) => this.deliver(runId, { type: 'timer.fired', at: this.clock.now(), seq }),
    );
    this.watchers = new Watchers(options.store, options.bus, this.shared !== undefined, (runId) => this.get(runId));
    this.children = {
      store: options.store,
      resolveFlow: options.resolveFlow,
      start: (request) => this.start(request),
      get: (runId) => this.get(runId),
      deliver: (runId, event) => this.deliver(runId, event),
      now: () => this.clock.now(),
      isClosed: () => this.closed,
    };
  }

  /** Re-arms durable timers and resumes every run that was running when the process stopped. */
  async recover(): Promise<number> {
    // Shared: nothing belongs to this process until a worker claims it (worker/worker.ts).
    if (this.shared) return 0;
    for (const timer of await this.options.store.dueTimers(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      this.timers.schedule(timer.runId, timer.seq, timer.fireAt);
    }
    const ids = await this.options.store.listActiveRunIds();
    // A parent parked on a child may have been stopped before the child's first checkpoint.
    const parents = (await this.options.store.listRuns({ status: ['waiting'], limit: Number.MAX_SAFE_INTEGER }))
      .filter((run) => run.reason === 'waiting_for_child')
      .map((run) => run.id);
    for (const runId of parents) await this.load(runId);
    for (const runId of ids) {
      const live = await this.load(runId);
      if (!TERMINAL_STATUSES.has(live.state.status))
        await this.applyAndWait(live, { type: 'run.recovered', at: this.clock.now() });
    }
    return ids.length;
  }

  async start(request: StartRequest): Promise<RunState> {
    const meta: RunMeta = {
      id: request.id ?? this.ids.runId(),
      flowId: request.flow.id,
      flowVersion: request.flow.version,
      createdAt: this.clock.now(),
      ...(request.parent ? { parent: request.parent } : {}),
      ...(request.options ? { options: request.options } : {}),
    };
    const live: LiveRun = { state: createRunState(meta, request.flow), flow: request.flow, uncommitted: 0 };
    // Created with fence 1, held by this process (or, for a relay, handed to the workers).
    if (this.shared) live.fence = 1;
    // advance() refuses bad input by throwing before anything is stored or cached.
    const committed = this.applyAndWait(live, { type: 'run.started', at: meta.createdAt, input: request.input }, true);
    this.live.set(meta.id, live);
    await committed;
    return live.durable as RunState;
  }

  /** Feeds an event to a run (loading it if needed); resolves once its checkpoint is durable. */
  async send(runId: string, event: EngineEvent): Promise<RunState> {
    if (this.shared && !this.live.has(runId)) return this.sendShared(runId, event);
    const live = await this.load(runId);
    await this.applyAndWait(live, event);
    return live.durable as RunState;
  }

  /**
   * The run's current durable state: from memory when it is live, else from the store. Never a
   * state whose checkpoint is still being written (a crash could take it back).
   */
  async get(runId: string): Promise<RunState | undefined> {
    return this.live.get(runId)?.durable ?? (await this.options.store.loadRun(runId));
  }

  async flowOf(runId: string): Promise<CompiledFlow> {
    const live = this.live.get(runId);
    if (live) return live.flow;
    const state = await this.options.store.loadRun(runId);
    if (!state) throw notFound('run', runId);
    return this.options.resolveFlow(state.meta.flowId, state.meta.flowVersion);
  }

  /** Shared: the runs this process holds (their leases are renewed by its worker). */
  held(): string[] {
    return [...this.live.keys()];
  }

  /** Shared: held runs whose latest state is durable (what a lease renewal can judge). */
  settled(): string[] {
    const ids: string[] = [];
    for (const [runId, live] of this.live) if (live.uncommitted === 0) ids.push(runId);
    return ids;
  }

  holds(runId: string): boolean {
    return this.live.has(runId);
  }

  /** Shared: the actions this process runs (a worker claims offered steps of these). */
  actionNames(): string[] {
    return this.options.actions.list().map((action) => action.name);
  }

  /** Shared: runs a step another worker offered, and answers its run through the inbox. */
  runOffered(task: StepTask): Promise<void> {
    return runOfferedStep(this.offered as OfferedStepsHost, task);
  }

  /**
   * Shared: takes over a run just claimed: arms its timers, applies its inbox, and does again
   * the work its last holder left in flight (at least once, same idempotency keys). `forEvent`:
   * claimed to apply an event, so kept even when it has nothing to do yet.
   */
  async adopt(claimed: ClaimedRun, forEvent = false): Promise<void> {
    const { state, fence } = claimed;
    const runId = state.meta.id;
    const flow = await this.options.resolveFlow(state.meta.flowId, state.meta.flowVersion);
    const previous = this.live.get(runId);
    if (previous) this.dropRun(runId, previous);
    const live: LiveRun = { state, durable: state, flow, uncommitted: 0, fence, inboxApplied: new Set() };
    this.live.set(runId, live);
    if (this.shared?.execute) {
      // First what the claimed state had in flight, then events: they may start new work.
      this.reissue(live);
      // Due timers fire now, so that what follows knows whether the run still has work.
      const now = this.clock.now();
      for (const timer of claimed.timers) {
        if (timer.fireAt > now) this.timers.schedule(runId, timer.seq, timer.fireAt);
        else this.deliver(runId, { type: 'timer.fired', at: now, seq: timer.seq });
      }
      if (claimed.recovered && !TERMINAL_STATUSES.has(state.status))
        this.apply(live, { type: 'run.recovered', at: this.clock.now() });
    }
    for (const item of claimed.inbox) this.applyInbox(live, item);
    // Nothing to do after all (an inbox item a concurrent commit applied, a timer not yet due):
    // give the run back; its timers bring it back when due.
    if (!forEvent && live.uncommitted === 0 && live.state === state && isIdle(state)) {
      this.dropRun(runId, live);
      await this.leases?.release((this.shared as SharedMode).owner, [runId]);
    }
  }

  /** Shared: applies what arrived in a held run's inbox. */
  async drainInbox(runId: string): Promise<void> {
    if (!this.live.has(runId) || !this.leases) return;
    const items = await this.leases.readInbox(runId);
    const live = this.live.get(runId);
    if (live) for (const item of items) this.applyInbox(live, item);
  }

  /**
   * Shared: forgets runs whose lease renewal found them held by someone else. A run with a
   * commit in flight is kept: that commit was fenced, so it either lands (the lease was free
   * and is taken again) or fails with LEASE_LOST, which drops the run then.
   */
  drop(runIds: readonly string[]): void {
    for (const runId of runIds) {
      const live = this.live.get(runId);
      if (live && live.uncommitted === 0) this.dropRun(runId, live);
    }
  }

  /** Calls `listener` with the run's state after each commit; returns the unsubscribe function. */
  watch(runId: string, listener: StateListener): () => void {
    return this.watchers.watch(runId, listener);
  }

  /** Resolves with the first state (now or later) that satisfies `until`. */
  waitFor(runId: string, until: (state: RunState) => boolean): Promise<RunState> {
    return this.watchers.waitFor(runId, until);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.close();
    for (const call of this.inflight.values()) call.abort();
    await this.committer.drain();
    // Shared: hand the runs back now rather than after their leases expire.
    if (this.shared && this.leases) await this.leases.release(this.shared.owner, this.held());
  }

  // ------------------------------------------------------------------------------ internals

  private load(runId: string): Promise<LiveRun> {
    const cached = this.live.get(runId);
    if (cached) return Promise.resolve(cached);
    let loading = this.loading.get(runId);
    if (!loading) {
      loading = (async () => {
        const state = await this.options.store.loadRun(runId);
        if (!state) throw notFound('run', runId);
        const flow = await this.options.resolveFlow(state.meta.flowId, state.meta.flowVersion);
        const raced = this.live.get(runId);
        if (raced) return raced;
        const live: LiveRun = { state, durable: state, flow, uncommitted: 0 };
        this.live.set(runId, live);
        this.reissue(live);
        return live;
      })().finally(() => this.loading.delete(runId));
      this.loading.set(runId, loading);
    }
    return loading;
  }

  /** Work a loaded run was doing when its process stopped is done again (steps are at-least-once). */
  private reissue(live: LiveRun): void {
    const work = pendingWork(live.state, live.flow);
    for (const step of work.steps) this.executeStep(live, step);
    // Idempotent: starts a child only if the crash came before its first checkpoint.
    for (const child of work.children) void startChild(this.children, live.state.meta.id, child.seq, child.start);
  }

  /** Applies an event; resolves once the run's state including it (or, for a no-op, its last state) is durable. */
  private applyAndWait(live: LiveRun, event: EngineEvent, created = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.apply(live, event, created);
      if (live.uncommitted === 0) return resolve();
      if (!live.waiters) live.waiters = [];
      live.waiters.push((error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * Advances the run and enqueues the checkpoint; effects follow once it is durable. Throws (a
   * RequestError) when the engine refuses the event, before anything changes. Returns whether
   * the event changed the run.
   */
  private apply(live: LiveRun, event: EngineEvent, created = false, inboxId?: number): boolean {
    const before = live.state;
    const transition = advance(before, event, live.flow);
    if (transition.state === before) return false;
    live.state = transition.state;
    live.uncommitted++;
    let checkpoint = checkpointOf(before, event, transition, live.flow, created);
    if (live.fence !== undefined) checkpoint = fencedCheckpoint(checkpoint, this.shared as SharedMode, live.fence, inboxId);
    this.committer.enqueue(checkpoint, (error) => {
      live.uncommitted--;
      if (error) {
        // Memory is ahead of the store now (or another worker holds the run): the store is the truth.
        if (this.live.get(before.meta.id) === live) this.dropRun(before.meta.id, live);
        this.log('commit failed', { runId: before.meta.id, error: toErrorInfo(error) });
      } else {
        this.afterCommit(live, checkpoint, transition.effects, transition.events);
      }
      if (inboxId !== undefined) live.inboxApplied?.delete(inboxId);
      if (live.uncommitted === 0 && live.waiters) {
        const waiters = live.waiters;
        live.waiters = undefined;
        for (const waiter of waiters) waiter(error);
      }
    });
    return true;
  }

  private afterCommit(
    live: LiveRun,
    checkpoint: Checkpoint,
    effects: readonly Effect[],
    events: Parameters<Bus['publishRunEvents']>[1],
  ): void {
    const state = checkpoint.state;
    const runId = state.meta.id;
    // Commits complete in the order they were enqueued, so this only moves forward.
    live.durable = state;
    this.options.bus.publishRunEvents(runId, events);
    if (!this.shared || this.shared.execute) {
      for (const effect of effects) this.perform(live, effect);
    } else {
      // A relay does no work, but a run it finished (a cancel) still reports to its parent.
      for (const effect of effects) if (effect.type === 'run.finished') this.perform(live, effect);
    }
    this.watchers.notify(runId, state);
    if (live.state !== state || this.live.get(runId) !== live) return;
    if (checkpoint.release) {
      this.dropRun(runId, live);
      const wake = wakeFor(state, checkpoint.active === true);
      if (wake) this.options.bus.publishWake(wake);
    } else if (!this.shared && isIdle(state)) {
      this.live.delete(runId);
    }
  }

  /** Forgets a run held here: its timers, its steps in flight (their results would be refused). */
  private dropRun(runId: string, live: LiveRun): void {
    this.live.delete(runId);
    if (!this.shared) return;
    this.timers.clearRun(runId);
    for (const key in live.state.pending) {
      const call = this.inflight.get(`${runId}:${key}`);
      if (call) {
        this.inflight.delete(`${runId}:${key}`);
        call.abort();
      }
    }
  }

  /** Shared: an inbox item is applied once; one the run refuses is dropped with a log line. */
  private applyInbox(live: LiveRun, item: InboxItem): void {
    if (live.inboxApplied?.has(item.id)) return;
    live.inboxApplied?.add(item.id);
    let applied = false;
    try {
      applied = this.apply(live, item.event, false, item.id);
    } catch (error) {
      this.refused(live.state.meta.id, item.event, error);
    }
    if (!applied) {
      live.inboxApplied?.delete(item.id);
      this.leases?.discard([item.id]).catch((error) => this.log('inbox discard failed', { error: toErrorInfo(error) }));
    }
  }

  /**
   * Shared, the run is not held here: claim it if it is free and apply the event under that
   * lease; else check the event against its durable state (the refusal its holder would give)
   * and leave it in its inbox for the holder.
   */
  private async sendShared(runId: string, event: EngineEvent): Promise<RunState> {
    const shared = this.shared as SharedMode;
    const leases = this.leases as Leases;
    const [claimed] = await leases.claim(shared.owner, 1, [runId]);
    if (claimed) {
      await this.adopt(claimed, true);
      const live = this.live.get(runId);
      if (live) {
        try {
          await this.applyAndWait(live, event);
          return live.durable as RunState;
        } finally {
          // Refused or a no-op: nothing committed the release, so give the run back here.
          if (this.live.get(runId) === live && live.uncommitted === 0 && isIdle(live.state)) {
            this.dropRun(runId, live);
            await leases.release(shared.owner, [runId]);
          }
        }
      }
    }
    const state = await this.options.store.loadRun(runId);
    if (!state) throw notFound('run', runId);
    advance(state, event, await this.options.resolveFlow(state.meta.flowId, state.meta.flowVersion));
    await leases.send(runId, event, this.clock.now());
    this.options.bus.publishWake({ runId });
    return state;
  }

  /** Internal events (step results, timers, children): failures are logged, never thrown. */
  private deliver(runId: string, event: EngineEvent): void {
    if (this.closed) return;
    const live = this.live.get(runId);
    if (live) {
      // The hot path: the run is in memory, so the event applies now, without a promise.
      try {
        this.apply(live, event);
      } catch (error) {
        this.refused(runId, event, error);
      }
      return;
    }
    if (this.leases) {
      // Held elsewhere (or by nobody): the run's inbox, and a nudge for whoever takes it.
      this.leases.send(runId, event, this.clock.now()).then(
        () => this.options.bus.publishWake({ runId }),
        (error) => this.refused(runId, event, error),
      );
      return;
    }
    this.load(runId).then(
      () => this.deliver(runId, event),
      (error) => this.refused(runId, event, error),
    );
  }

  private refused(runId: string, event: EngineEvent, error: unknown): void {
    if (error instanceof RunloomError && error.code === 'RUN_STATUS') return;
    this.log('event not applied', { runId, type: event.type, error: toErrorInfo(error) });
  }

  private perform(live: LiveRun, effect: Effect): void {
    const runId = live.state.meta.id;
    switch (effect.type) {
      case 'step.execute':
        this.executeStep(live, effect);
        return;
      case 'step.cancel':
        this.inflight.get(`${runId}:${effect.seq}`)?.abort();
        // An offered step is withdrawn (a no-op for one that never was).
        if (this.offered) this.leases?.withdrawStep(runId, effect.seq).catch(() => {});
        return;
      case 'timer.start':
        this.timers.schedule(runId, effect.seq, effect.fireAt);
        return;
      case 'timer.cancel':
        this.timers.clear(runId, effect.seq);
        return;
      case 'child.start':
        void startChild(this.children, runId, effect.seq, effect);
        return;
      case 'child.cancel':
        void cancelChild(this.children, runId, effect.seq);
        return;
      case 'run.finished':
        reportToParent(this.children, live.state);
        return;
    }
  }

  private executeStep(live: LiveRun, effect: Extract<Effect, { type: 'step.execute' }>): void {
    const runId = live.state.meta.id;
    const node = activityOf(live.flow, effect.nodeId);
    if (this.offered && node.type === 'task' && node.action && !this.options.actions.has(node.action)) {
      // Shared: another worker has this action; it runs the step and answers through the inbox.
      offerStep(this.offered, live.state.meta, node.action, effect);
      return;
    }
    const call = new StepCall(runId, node, effect, this.log);
    const key = `${runId}:${effect.seq}`;
    this.inflight.set(key, call);
    const executor = this.executors[node.type];
    const run = executor
      ? executor(call)
      : Promise.reject(
          new RunloomError('NOT_EXECUTABLE', `no executor is registered for '${node.type}' nodes (step '${effect.nodeId}')`),
        );
    run.then(
      (result) => this.stepEnded(key, call, result, undefined),
      (error: unknown) => this.stepEnded(key, call, undefined, error),
    );
  }

  private stepEnded(key: string, call: StepCall, result: StepResult | undefined, error: unknown): void {
    this.inflight.delete(key);
    if (call.aborted) return;
    this.deliver(call.runId, stepResultEvent(call.seq, this.clock.now(), result, error));
  }
}
