/**
 * The library API (F7.1): `createRunloom()` wires a store, a bus, actions and the runtime, and
 * exposes typed methods for flows and runs. The HTTP API and the CLI are thin layers over it.
 *
 * @example
 * const runloom = await createRunloom({ store: 'memory:' });
 * await runloom.flows.publish(yamlText);
 * const run = await runloom.runs.start('onboarding', { email: 'a@b.co' });
 * const done = await runloom.runs.wait(run.id);
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ActionDefinition } from './actions/action.js';
import { builtinActions } from './actions/builtins/index.js';
import { type ActionRegistry, createActionRegistry } from './actions/registry.js';
import { createFlowsApi, type FlowsApi } from './api/flows.js';
import { createRunsApi, type RunsApi } from './api/runs.js';
import type { Bus } from './bus/bus.js';
import { openBus } from './bus/index.js';
import { RunloomError } from './errors.js';
import type { Clock, Ids } from './runtime/clock.js';
import type { Executors } from './runtime/executors.js';
import { Runtime, type RuntimeOptions } from './runtime/runtime.js';
import { SharedRuntime } from './runtime/shared-runtime.js';
import { openStore } from './store/index.js';
import type { Durability, Store } from './store/store.js';
import { Worker, type WorkerOptions } from './worker/worker.js';

const defaultWorkerId = () => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export interface RunloomOptions {
  /** A Store, or a URL: `memory:`, a SQLite file path / `sqlite:path` (default `./.runloom/runloom.db`). */
  readonly store?: Store | string;
  readonly durability?: Durability;
  /** A Bus, or a URL: `redis://…` for many processes, `memory:` (the default) for one. */
  readonly bus?: Bus | string;
  /** Actions besides the built-ins. */
  readonly actions?: readonly ActionDefinition[];
  readonly executors?: Executors;
  readonly clock?: Clock;
  readonly ids?: Ids;
  /** Resume runs that were running when the process stopped (default true). */
  readonly recover?: boolean;
  readonly log?: (message: string, data?: unknown) => void;
  /**
   * On a store many processes share (PostgreSQL): make this process a worker that claims and
   * drives any run that needs one — new runs other processes queued, runs whose worker died,
   * parked runs whose timer is due (true, or the worker's settings). Ignored on embedded stores.
   */
  readonly worker?: boolean | WorkerOptions;
  /**
   * On a shared store: whether this process executes the runs it holds (default true: the runs
   * it starts or sends events to while no one else holds them). false makes it a client that
   * only starts runs and sends events, leaving every step to the workers.
   */
  readonly execute?: boolean;
  /** This process's id in leases and step records (default host:pid:random). */
  readonly workerId?: string;
}

export interface Runloom {
  readonly store: Store;
  readonly bus: Bus;
  readonly actions: ActionRegistry;
  readonly flows: FlowsApi;
  readonly runs: RunsApi;
  /** Runs resumed at start-up. */
  readonly recovered: number;
  /** This process's id in leases and step records (shared stores). */
  readonly workerId: string | undefined;
  close(): Promise<void>;
}

export async function createRunloom(options: RunloomOptions = {}): Promise<Runloom> {
  const wantsWorker = options.worker !== undefined && options.worker !== false;
  if (wantsWorker && options.execute === false) {
    throw new RunloomError('INVALID_OPTIONS', 'a worker executes steps: `worker` and `execute: false` do not go together');
  }
  const store =
    typeof options.store === 'object' ? options.store : openStore(options.store, { durability: options.durability ?? 'normal' });
  await store.init();
  const bus = typeof options.bus === 'object' ? options.bus : openBus(options.bus, options.log);
  const actions = createActionRegistry([...builtinActions(), ...(options.actions ?? [])]);
  const flows = await createFlowsApi(store, actions);
  const shared = store.leases ? { owner: options.workerId ?? defaultWorkerId(), execute: options.execute ?? true } : undefined;
  const log = options.log ?? (() => {});
  const runtimeOptions: RuntimeOptions = {
    store,
    bus,
    actions,
    resolveFlow: flows.compiled,
    ...(options.executors ? { executors: options.executors } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  const runtime = shared ? new SharedRuntime(runtimeOptions, shared) : new Runtime(runtimeOptions);
  const runs = createRunsApi(runtime, store, bus, flows, options.clock?.now ?? Date.now);
  const recovered = options.recover === false ? 0 : await runtime.recover();
  const worker =
    runtime instanceof SharedRuntime && shared && store.leases && wantsWorker
      ? new Worker(runtime, store.leases, bus, shared.owner, log, typeof options.worker === 'object' ? options.worker : {})
      : undefined;
  await worker?.start();
  return {
    store,
    bus,
    actions,
    flows,
    runs,
    recovered,
    workerId: shared?.owner,
    async close() {
      await worker?.close();
      await runtime.close();
      await bus.close();
      await store.close();
    },
  };
}
