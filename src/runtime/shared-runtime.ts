/**
 * The runtime on a store many processes share (PostgreSQL, F8.3). A run lives in the memory of
 * the one process that holds its lease:
 *
 * - every commit carries the lease's fence (refused, nothing written, if the run was claimed
 *   since) and gives the lease back when the run parks or ends;
 * - events for runs held elsewhere go to their inbox, and the holder applies each exactly once;
 * - a run is taken over with `adopt()` after a claim: its timers re-armed, its inbox applied,
 *   the work its last holder had in flight done again;
 * - a relay (`execute: false`: a CLI or API process) applies events under a short lease and
 *   hands the run to the workers, never running a step;
 * - a step whose action this process lacks is offered to the workers that have it.
 *
 * Which runs to claim, and when, is the worker's business (worker/worker.ts).
 */
import { advance } from '../engine/advance.js';
import { foldTail } from '../engine/replay.js';
import { snapshotState } from '../engine/run-state.js';
import { type EngineEvent, type RunState, TERMINAL_STATUSES } from '../engine/types.js';
import { notFound, RunloomError, toErrorInfo } from '../errors.js';
import type { Checkpoint, ClaimedRun, InboxItem, Leases, StepTask } from '../store/store.js';
import { isIdle } from './checkpoint.js';
import { type OfferedStepsHost, offerStep, runOfferedStep } from './offered-steps.js';
import type { StepEffect } from './pending-work.js';
import { type LiveRun, Runtime, type RuntimeOptions } from './runtime.js';
import { fencedCheckpoint, type SharedMode, wakeFor } from './shared-terms.js';
import { activityOf } from './step-call.js';

export type { SharedMode } from './shared-terms.js';

export class SharedRuntime extends Runtime {
  private readonly leases: Leases;
  /** How steps this process cannot run reach the workers that can. */
  private readonly offered: OfferedStepsHost;
  protected override readonly createdFence = 1;

  constructor(
    options: RuntimeOptions,
    private readonly shared: SharedMode,
  ) {
    super(options, true);
    if (!options.store.leases) throw new RunloomError('STORE_INVALID', 'a shared runtime needs a store with leases (PostgreSQL)');
    this.leases = options.store.leases;
    this.offered = {
      leases: this.leases,
      bus: options.bus,
      owner: shared.owner,
      executors: this.executors,
      outputLimits: this.outputLimits,
      resolveFlow: options.resolveFlow,
      now: () => this.clock.now(),
      log: this.log,
    };
  }

  /**
   * Runs this process keeps while it lives (its worker claims them whenever they need driving:
   * a timer or retry due, an inbox item, a dead holder's lease run out): the runs it started,
   * and the ones it was asked to keep (`recover`, `runs resume`). A run leaves when it ends.
   */
  private readonly keeps = new Set<string>();

  /**
   * Nothing belongs to this process until it claims it: the runs left with work to do (their
   * holder stopped) are kept, and claimed once free — at once if their holder handed them back,
   * when its lease runs out if it died.
   */
  override async recover(): Promise<number> {
    if (!this.shared.execute) return 0;
    const ids = await this.options.store.listActiveRunIds();
    this.keep(ids);
    // And the parked runs with a timer (no lease, not active): kept, so their timers fire.
    const store = this.options.store;
    for (const timer of await store.dueTimers(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) this.keeps.add(timer.runId);
    return ids.length;
  }

  /** Keeps these runs here until they end (see `keeps`). */
  keep(runIds: readonly string[]): void {
    for (const runId of runIds) this.keeps.add(runId);
  }

  /** The kept runs not held here now: the ones to claim when they need driving. */
  keptAway(): string[] {
    const ids: string[] = [];
    for (const runId of this.keeps) if (!this.live.has(runId)) ids.push(runId);
    return ids;
  }

  override async send(runId: string, event: EngineEvent): Promise<RunState> {
    return this.live.has(runId) ? super.send(runId, event) : this.sendElsewhere(runId, event);
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    // Taken before closing: the runs' steps are aborted, and taken over where they stopped.
    const held = this.held();
    await super.close();
    // Hand the runs back now rather than after their leases expire.
    await this.leases.handBack(this.shared.owner, held);
  }

  /** The runs this process holds (their leases are renewed by its worker). */
  held(): string[] {
    return [...this.live.keys()];
  }

  /** Held runs whose latest state is durable (what a lease renewal can judge). */
  settled(): string[] {
    const ids: string[] = [];
    for (const [runId, live] of this.live) if (live.uncommitted === 0) ids.push(runId);
    return ids;
  }

  holds(runId: string): boolean {
    return this.live.has(runId);
  }

  /** The actions this process runs (a worker claims offered steps of these). */
  actionNames(): string[] {
    return this.options.actions.list().map((action) => action.name);
  }

  /** Runs a step another worker offered, and answers its run through the inbox. */
  runOffered(task: StepTask): Promise<void> {
    return runOfferedStep(this.offered, task);
  }

  /**
   * Takes over a run just claimed: does again the work its last holder left in flight (at
   * least once, same idempotency keys), fires its due timers and arms the others, applies its
   * inbox. `forEvent`: claimed to apply an event, so kept even when it has nothing to do yet.
   */
  async adopt(claimed: ClaimedRun, forEvent = false): Promise<void> {
    const { fence } = claimed;
    const runId = claimed.state.meta.id;
    const flow = await this.options.resolveFlow(claimed.state.meta.flowId, claimed.state.meta.flowVersion);
    const state = claimed.tail ? foldTail(claimed.state, claimed.tail, flow) : claimed.state;
    const previous = this.live.get(runId);
    if (previous) this.dropRun(runId, previous);
    const live: LiveRun = { state, flow, uncommitted: 0, fence };
    const claimedAt = state.eventSeq;
    this.live.set(runId, live);
    if (this.shared.execute) {
      // First what the claimed state had in flight, then events: they may start new work.
      this.reissue(live);
      const now = this.clock.now();
      for (const timer of claimed.timers) {
        if (timer.fireAt > now) this.timers.schedule(runId, timer.seq, timer.fireAt);
        else this.deliver(runId, { type: 'timer.fired', at: now, seq: timer.seq });
      }
      if (claimed.recovered && !TERMINAL_STATUSES.has(state.status)) this.apply(live, { type: 'run.recovered', at: now });
    }
    for (const item of claimed.inbox) this.applyInbox(live, item);
    // Nothing to do after all (an inbox item a concurrent commit applied, a timer not yet due):
    // give the run back; its timers bring it back when due.
    if (!forEvent && live.uncommitted === 0 && state.eventSeq === claimedAt && isIdle(state)) {
      this.dropRun(runId, live);
      await this.leases.release(this.shared.owner, [runId]);
    }
  }

  /** Applies what arrived in a held run's inbox. */
  async drainInbox(runId: string): Promise<void> {
    if (!this.live.has(runId)) return;
    const items = await this.leases.readInbox(runId);
    const live = this.live.get(runId);
    if (live) for (const item of items) this.applyInbox(live, item);
  }

  /**
   * Forgets runs whose lease renewal found them held by someone else. A run with a commit in
   * flight is kept: that commit was fenced, so it either lands (the lease was free and is taken
   * again) or fails with LEASE_LOST, which drops the run then.
   */
  drop(runIds: readonly string[]): void {
    for (const runId of runIds) {
      const live = this.live.get(runId);
      if (live && live.uncommitted === 0) this.dropRun(runId, live);
    }
  }

  // ------------------------------------------------------------------------------ hooks

  protected override seal(live: LiveRun, checkpoint: Checkpoint, inboxId?: number): Checkpoint {
    if (checkpoint.created && this.shared.execute) this.keeps.add(checkpoint.state.meta.id);
    return fencedCheckpoint(checkpoint, this.shared, live.fence as number, inboxId);
  }

  /** When it gives its lease back (it parked or finished, or this process only relays). */
  protected override leaves(checkpoint: Checkpoint): boolean {
    return checkpoint.release === true;
  }

  protected override settle(live: LiveRun, checkpoint: Checkpoint): void {
    // Its lease is given back: an ended run's final state stays at hand for reads here.
    this.recent.remember(live.state);
    this.dropRun(checkpoint.state.meta.id, live);
    if (TERMINAL_STATUSES.has(checkpoint.state.status)) this.keeps.delete(checkpoint.state.meta.id);
    const wake = wakeFor(checkpoint.state, checkpoint.active === true);
    if (wake) this.options.bus.publishWake(wake);
  }

  /** Also its timers and its steps in flight (their results would be refused). */
  protected override dropRun(runId: string, live: LiveRun): void {
    super.dropRun(runId, live);
    this.timers.clearRun(runId);
    live.calls?.abortAll();
  }

  /** Held elsewhere (or by nobody): the run's inbox, and a nudge for whoever takes it. */
  protected override deliverAway(runId: string, event: EngineEvent): void {
    this.leases.send(runId, event, this.clock.now()).then(
      () => this.options.bus.publishWake({ runId }),
      (error) => this.refused(runId, event, error),
    );
  }

  protected override perform(live: LiveRun, effect: Parameters<Runtime['perform']>[1]): void {
    // A relay does no work, but a run it finished (a cancel) still reports to its parent.
    if (!this.shared.execute && effect.type !== 'run.finished') return;
    super.perform(live, effect);
    // An offered step is withdrawn (a no-op for one that never was).
    if (effect.type === 'step.cancel') this.leases.withdrawStep(live.state.meta.id, effect.seq).catch(() => {});
  }

  protected override executeStep(live: LiveRun, effect: StepEffect): void {
    const node = activityOf(live.flow, effect.nodeId);
    if (node.type === 'task' && node.action && !this.options.actions.has(node.action)) {
      // Another worker has this action: it runs the step and answers through the inbox.
      offerStep(this.offered, live.state.meta, node.action, effect);
      return;
    }
    super.executeStep(live, effect);
  }

  // ------------------------------------------------------------------------------ internals

  /** An inbox item is applied once; one the run refuses is dropped with a log line. */
  private applyInbox(live: LiveRun, item: InboxItem): void {
    // Made here, not when a run is adopted: a run this process started has an inbox too.
    live.inboxApplied ??= new Set();
    if (live.inboxApplied.has(item.id)) return;
    live.inboxApplied.add(item.id);
    let applied = false;
    try {
      applied = this.apply(live, item.event, false, item.id);
    } catch (error) {
      this.refused(live.state.meta.id, item.event, error);
    }
    if (!applied) {
      this.leases.discard([item.id]).catch((error) => this.log('inbox discard failed', { error: toErrorInfo(error) }));
    }
  }

  /**
   * The run is not held here: claim it if it is free and apply the event under that lease; else
   * check the event against its durable state (the refusal its holder would give) and leave it
   * in its inbox for the holder.
   */
  private async sendElsewhere(runId: string, event: EngineEvent): Promise<RunState> {
    const [claimed] = await this.leases.claim(this.shared.owner, 1, [runId]);
    if (claimed) {
      // Executed here from now on: kept, so its timers and retries fire while this process lives.
      if (this.shared.execute) this.keeps.add(runId);
      await this.adopt(claimed, true);
      const live = this.live.get(runId);
      if (live) {
        try {
          return await this.applyAndWait(live, event);
        } finally {
          // Refused or a no-op: nothing committed the release, so give the run back here.
          if (this.live.get(runId) === live && live.uncommitted === 0 && isIdle(live.state)) {
            this.dropRun(runId, live);
            await this.leases.release(this.shared.owner, [runId]);
          }
        }
      }
    }
    const stored = await this.loadStored(runId);
    if (!stored) throw notFound('run', runId);
    const { state, flow } = stored;
    // A dry run on a copy: advance() changes the state it is given.
    advance(snapshotState(state), event, flow);
    await this.leases.send(runId, event, this.clock.now());
    this.options.bus.publishWake({ runId });
    return state;
  }
}
