/**
 * A worker (F8.3): claims runs that need one from the shared store, holds them under renewed
 * leases while its runtime drives them, and gives them back when they park or finish. Wake-ups
 * on the bus make it claim at once; a slow poll is only the safety net (a lost message, a worker
 * that died without a word and whose leases expire). Timers of parked runs wake it when due.
 */
import type { Bus, Wake } from '../bus/bus.js';
import { toErrorInfo } from '../errors.js';
import type { SharedRuntime } from '../runtime/shared-runtime.js';
import type { Leases } from '../store/store.js';

export interface WorkerOptions {
  /** Most runs held at once (default 2,000). */
  readonly capacity?: number;
  /** Runs claimed per statement (default 200). */
  readonly claimBatch?: number;
  /** Safety-net poll interval, ms (default 1,000). */
  readonly pollMs?: number;
  /** Most offered steps (actions other workers lack) run at once (default 100). */
  readonly stepCapacity?: number;
  /**
   * `all` (default): any run that needs a worker, and offered steps. `kept`: only the runs its
   * runtime keeps (the ones this process started or was asked to keep) — what a process that is
   * no worker does, so that its runs' timers and retries fire while it lives.
   */
  readonly scope?: 'all' | 'kept';
}

export class Worker {
  private readonly capacity: number;
  private readonly claimBatch: number;
  private readonly pollMs: number;
  private readonly stepCapacity: number;
  private readonly kept: boolean;
  private readonly actions: ReadonlySet<string>;
  /** Offered steps running here now. */
  private running = 0;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private alarm: { at: number; handle: NodeJS.Timeout } | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly runtime: SharedRuntime,
    private readonly leases: Leases,
    private readonly bus: Bus,
    private readonly owner: string,
    private readonly log: (message: string, data?: unknown) => void,
    options: WorkerOptions = {},
  ) {
    this.capacity = options.capacity ?? 2_000;
    this.claimBatch = options.claimBatch ?? 200;
    this.pollMs = options.pollMs ?? 1_000;
    this.stepCapacity = options.stepCapacity ?? 100;
    this.kept = options.scope === 'kept';
    this.actions = new Set(runtime.actionNames());
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribeWake((wake) => this.onWake(wake));
    // A third of the lease: two renewals can fail (a slow query, a GC pause) before it is lost.
    const every = Math.max(50, Math.floor(this.leases.ttlMs / 3));
    this.heartbeat = setInterval(() => void this.renew(), every);
    this.poll();
  }

  /** Claims now (coalesced with a claim already under way). */
  poll(): void {
    if (this.closed) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.claimAll()
      .catch((error) => this.log('claim failed', { error: toErrorInfo(error) }))
      .finally(() => {
        this.polling = undefined;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.poll();
        } else {
          this.schedule();
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    clearTimeout(this.pollTimer);
    if (this.alarm) clearTimeout(this.alarm.handle);
    await this.polling;
  }

  private async claimAll(): Promise<void> {
    for (;;) {
      const room = Math.min(this.claimBatch, this.capacity - this.runtime.held().length);
      if (room <= 0 || this.closed) return;
      const claimed = this.kept
        ? await this.leases.claim(this.owner, room, this.runtime.keptAway(), true)
        : await this.leases.claim(this.owner, room);
      for (const run of claimed) {
        try {
          await this.runtime.adopt(run);
        } catch (error) {
          // Not held after all: give it back rather than sit on it until the lease expires.
          this.log('adopt failed', { runId: run.state.meta.id, error: toErrorInfo(error) });
          await this.leases.release(this.owner, [run.state.meta.id]).catch(() => {});
        }
      }
      if (claimed.length < room) break;
    }
    if (!this.kept) await this.claimSteps();
  }

  /** Steps offered by workers that lack their action, for the actions this worker has. */
  private async claimSteps(): Promise<void> {
    for (;;) {
      const room = this.stepCapacity - this.running;
      if (room <= 0 || this.closed) return;
      const tasks = await this.leases.claimSteps(this.owner, [...this.actions], room);
      for (const task of tasks) {
        this.running++;
        this.runtime
          .runOffered(task)
          .catch((error) => this.log('offered step failed', { runId: task.runId, seq: task.seq, error: toErrorInfo(error) }))
          .finally(() => {
            this.running--;
            // A slot is free: more may be waiting.
            this.poll();
          });
      }
      if (tasks.length < room) return;
    }
  }

  /** The next safety-net poll, or sooner when a parked run's timer is due. */
  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.poll(), this.pollMs);
    (this.kept ? this.leases.nextFreeTimerAt(this.runtime.keptAway()) : this.leases.nextFreeTimerAt()).then(
      (at) => at !== undefined && this.armAlarm(at),
      () => {},
    );
  }

  private armAlarm(at: number): void {
    if (this.closed || (this.alarm && this.alarm.at <= at)) return;
    if (this.alarm) clearTimeout(this.alarm.handle);
    const handle = setTimeout(
      () => {
        this.alarm = undefined;
        this.poll();
      },
      // Never sooner than 20 ms: a due timer that a claim cannot fire (an orphaned row) must not
      // turn into a busy loop of claims.
      Math.max(20, at - Date.now()),
    );
    this.alarm = { at, handle };
  }

  private onWake(wake: Wake): void {
    if (this.closed) return;
    if (wake.timerAt !== undefined) this.armAlarm(wake.timerAt);
    if (wake.action !== undefined && this.actions.has(wake.action) && !this.kept) this.poll();
    if (wake.runId === undefined) return;
    if (this.runtime.holds(wake.runId)) {
      this.runtime.drainInbox(wake.runId).catch((error) => this.log('inbox read failed', { error: toErrorInfo(error) }));
    } else {
      this.poll();
    }
  }

  private async renew(): Promise<void> {
    // Runs with a commit in flight are left out: that fenced commit renews or refuses by itself.
    const held = this.runtime.settled();
    if (held.length === 0 && this.running === 0) return;
    try {
      const kept = new Set(await this.leases.renew(this.owner, held));
      const lost = held.filter((runId) => !kept.has(runId));
      if (lost.length > 0) {
        this.log('leases lost', { runs: lost.length });
        this.runtime.drop(lost);
      }
    } catch (error) {
      this.log('lease renewal failed', { error: toErrorInfo(error) });
    }
  }
}
