/**
 * Runs BPMN script tasks' JavaScript away from the engine: in one worker thread with its own
 * heap limit (a script that allocates without end kills the worker, not Runloom), each script
 * in a fresh `node:vm` context (worker-source.ts says what is in reach), bounded in time by the
 * vm timeout and, should the worker stop answering, by a guard that terminates it. The worker is
 * started on first use, restarted after it dies, and never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source.js';

export interface ScriptLimits {
  /** ms of CPU time for the script and its microtasks (default 1000). */
  readonly timeoutMs?: number;
  /** MB of heap for the worker that runs scripts (default 64). */
  readonly memoryMb?: number;
}

export interface ScriptInput {
  readonly variables: Record<string, unknown>;
  readonly content: Record<string, unknown>;
}

/** What a script did: called `next` (with an error or a result), or not; the variables it changed. */
export type ScriptOutcome =
  | {
      readonly kind: 'done';
      readonly called: boolean;
      readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
      readonly result?: unknown;
      readonly changed: Record<string, unknown>;
      readonly logs: readonly string[];
    }
  | { readonly kind: 'thrown' | 'timeout' | 'memory'; readonly message: string };

interface Pending {
  readonly resolve: (outcome: ScriptOutcome) => void;
  readonly guard: NodeJS.Timeout;
  readonly worker: Worker;
}

/** Time the worker may take beyond the script's own limit before it is deemed stuck. */
const GUARD_MS = 2000;

export class ScriptSandbox {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly timeoutMs: number;
  private readonly memoryMb: number;

  constructor(limits: ScriptLimits = {}) {
    this.timeoutMs = limits.timeoutMs ?? 1000;
    this.memoryMb = limits.memoryMb ?? 64;
  }

  run(script: string, input: ScriptInput): Promise<ScriptOutcome> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const guard = setTimeout(() => {
        this.settle(id, { kind: 'timeout', message: `the script did not finish within ${this.timeoutMs}ms` });
        // The worker is stuck in something the vm timeout does not cover: start afresh.
        this.stop(worker, { kind: 'timeout', message: 'the script worker was restarted after a stuck script' });
      }, this.timeoutMs + GUARD_MS);
      guard.unref();
      this.pending.set(id, { resolve, guard, worker });
      worker.postMessage({ id, script, input: JSON.stringify(input), timeoutMs: this.timeoutMs });
    });
  }

  /** Stops the worker; scripts still running end with an error. */
  async close(): Promise<void> {
    const workers = new Set([...this.pending.values()].map((p) => p.worker));
    if (this.worker) workers.add(this.worker);
    for (const worker of workers) this.stop(worker, { kind: 'thrown', message: 'the script sandbox was closed' });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: Math.max(4, this.memoryMb / 8) },
    });
    worker.unref();
    worker.on('message', (reply: { id: number; outcome?: string; failure?: { kind: 'thrown' | 'timeout'; message: string } }) => {
      if (reply.failure) {
        this.settle(reply.id, reply.failure);
        // A script stopped at its time limit may have left the heap full: later scripts get a new worker.
        if (reply.failure.kind === 'timeout') this.retire(worker);
      } else this.settle(reply.id, { kind: 'done', ...JSON.parse(reply.outcome ?? '{}') });
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.stop(worker, {
        kind: memory ? 'memory' : 'thrown',
        message: memory ? `the script ran out of its ${this.memoryMb} MB of memory` : error.message,
      });
    });
    worker.on('exit', () => this.stop(worker, { kind: 'thrown', message: 'the script worker stopped' }));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, outcome: ScriptOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.guard);
    pending.resolve(outcome);
    if (pending.worker !== this.worker && !this.busy(pending.worker)) void pending.worker.terminate();
  }

  private busy(worker: Worker): boolean {
    for (const pending of this.pending.values()) if (pending.worker === worker) return true;
    return false;
  }

  /** New scripts go to a new worker; this one ends once the scripts already sent to it have. */
  private retire(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.busy(worker)) void worker.terminate();
  }

  /** Every script in flight on this worker ends with `outcome`; the next run starts a new worker. */
  private stop(worker: Worker, outcome: ScriptOutcome): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, pending] of [...this.pending]) if (pending.worker === worker) this.settle(id, outcome);
    void worker.terminate();
  }
}
