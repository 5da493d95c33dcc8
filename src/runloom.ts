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
import type { ActionDefinition } from './actions/action.js';
import { builtinActions } from './actions/builtins/index.js';
import { type ActionRegistry, createActionRegistry } from './actions/registry.js';
import { createFlowsApi, type FlowsApi } from './api/flows.js';
import { createRunsApi, type RunsApi } from './api/runs.js';
import type { Bus } from './bus/bus.js';
import { createMemoryBus } from './bus/memory/memory-bus.js';
import type { Clock, Ids } from './runtime/clock.js';
import type { Executors } from './runtime/executors.js';
import { Runtime } from './runtime/runtime.js';
import { openStore } from './store/index.js';
import type { Durability, Store } from './store/store.js';

export interface RunloomOptions {
  /** A Store, or a URL: `memory:`, a SQLite file path / `sqlite:path` (default `./.runloom/runloom.db`). */
  readonly store?: Store | string;
  readonly durability?: Durability;
  readonly bus?: Bus;
  /** Actions besides the built-ins. */
  readonly actions?: readonly ActionDefinition[];
  readonly executors?: Executors;
  readonly clock?: Clock;
  readonly ids?: Ids;
  /** Resume runs that were running when the process stopped (default true). */
  readonly recover?: boolean;
  readonly log?: (message: string, data?: unknown) => void;
}

export interface Runloom {
  readonly store: Store;
  readonly actions: ActionRegistry;
  readonly flows: FlowsApi;
  readonly runs: RunsApi;
  /** Runs resumed at start-up. */
  readonly recovered: number;
  close(): Promise<void>;
}

export async function createRunloom(options: RunloomOptions = {}): Promise<Runloom> {
  const store =
    typeof options.store === 'object' ? options.store : openStore(options.store, { durability: options.durability ?? 'normal' });
  await store.init();
  const bus = options.bus ?? createMemoryBus();
  const actions = createActionRegistry([...builtinActions(), ...(options.actions ?? [])]);
  const flows = await createFlowsApi(store, actions);
  const runtime = new Runtime({
    store,
    bus,
    actions,
    resolveFlow: flows.compiled,
    ...(options.executors ? { executors: options.executors } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const runs = createRunsApi(runtime, store, bus, flows, options.clock?.now ?? Date.now);
  const recovered = options.recover === false ? 0 : await runtime.recover();
  return {
    store,
    actions,
    flows,
    runs,
    recovered,
    async close() {
      await runtime.close();
      await bus.close();
      await store.close();
    },
  };
}
