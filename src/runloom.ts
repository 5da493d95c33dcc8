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
import { loadConfig } from './ai/config.js';
import { aiEstimator } from './ai/estimate.js';
import { aiExecutors } from './ai/executor.js';
import { createModels, type Model, type ModelDefinition, type Models } from './ai/models.js';
import { createFlowsApi, type FlowsApi } from './api/flows.js';
import { createRunsApi, type RunsApi } from './api/runs.js';
import { signalBroadcastAction } from './api/signal-broadcast.js';
import { type ScriptLimits, ScriptSandbox, scriptAction } from './bpmn/script/action.js';
import type { Bus } from './bus/bus.js';
import { openBus } from './bus/index.js';
import { type ChatsApi, createChatsApi } from './chat/chats-api.js';
import { RunloomError } from './errors.js';
import type { CompiledFlow } from './flow/compiled.js';
import { createJourneyContext } from './journey/context.js';
import { createEntitiesApi, createJourneysApi, type EntitiesApi, type JourneysApi } from './journey/journeys-api.js';
import { createProgression, type ProgressionOptions } from './journey/progression.js';
import { createPromptsApi, type PromptsApi, type PromptsOptions } from './prompt/prompts-api.js';
import type { Clock, Ids } from './runtime/clock.js';
import { type Executors, taskExecutor } from './runtime/executors.js';
import type { OutputLimits } from './runtime/output-limits.js';
import { Runtime, type RuntimeOptions } from './runtime/runtime.js';
import { SharedRuntime } from './runtime/shared-runtime.js';
import { openStore } from './store/index.js';
import type { Durability, Store } from './store/store.js';
import { agentTools } from './swarm/agent-tools.js';
import { coordinatorAction } from './swarm/coordinator.js';
import { swarmActions } from './swarm/swarm-actions.js';
import { createSwarmsApi, type SwarmsApi } from './swarm/swarms.js';
import { type WebhookOptions, Webhooks, type WebhooksApi } from './webhook/webhooks.js';
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
  /**
   * Models for ai steps: a Models object, or models by name (`default` among them, or a single
   * one) added to those of the config file. Tests pass the AI SDK's mock models here.
   */
  readonly models?: Models | Readonly<Record<string, Model | ModelDefinition>>;
  /** runloom.config.yaml elsewhere (default: RUNLOOM_CONFIG, else ./runloom.config.yaml if present). */
  readonly config?: string;
  readonly clock?: Clock;
  readonly ids?: Ids;
  /**
   * Resume runs that were left running when their process stopped (default true). On a store
   * with leases (SQLite, PostgreSQL) such a run is taken over once it is free: at once if its
   * process handed it back, when its lease runs out if that process died.
   */
  readonly recover?: boolean;
  readonly log?: (message: string, data?: unknown) => void;
  /**
   * On a store several processes share (SQLite, PostgreSQL): make this process a worker that
   * claims and drives any run that needs one — new runs other processes queued, runs whose
   * worker died, parked runs whose timer is due (true, or the worker's settings). Without it a
   * process that executes runs drives only the ones it keeps: those it started, or sent an
   * event to and took, and with `recover` the ones left running. Ignored on the memory store.
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
  /**
   * Run BPMN script tasks (JavaScript) in a sandbox: a worker thread with a heap limit, each
   * script in a fresh vm context with a CPU time limit (true: 1 s and 64 MB). Without it a BPMN
   * file with a script task is refused on publish (docs/BPMN.md).
   */
  readonly bpmnScripts?: boolean | ScriptLimits;
  /**
   * What a step's output may be: `maxBytes` as JSON (default 16 MiB) and `maxDepth` levels of
   * nesting (default 512). An output beyond either fails its step (STEP_OUTPUT_TOO_LARGE /
   * STEP_OUTPUT_TOO_DEEP) instead of reaching the store.
   */
  readonly outputLimits?: Partial<OutputLimits>;
  /** Prompt runs: how long an idle run stays in memory (`idleMs`, default 10 minutes). */
  readonly prompts?: Omit<PromptsOptions, 'now'>;
  /**
   * Journey progression (F6.4): a process that executes runs starts the runs of arrivals at
   * mapped ux nodes and moves entities on when they end. false turns it off here.
   */
  readonly journeys?: ProgressionOptions | false;
  /** Webhook tasks' secret and callback base URL (default: env RUNLOOM_WEBHOOK_SECRET, RUNLOOM_PUBLIC_URL). */
  readonly webhooks?: WebhookOptions;
}

export interface Runloom {
  readonly store: Store;
  readonly bus: Bus;
  readonly actions: ActionRegistry;
  readonly flows: FlowsApi;
  readonly runs: RunsApi;
  /** Swarms: shared versioned context, subscriptions and budgets (F5). */
  readonly swarms: SwarmsApi;
  /** Prompt templates, scoped variables, prompt runs and batches (F4.5). */
  readonly prompts: PromptsApi;
  /** Chats with typed, versioned metadata (F4.6). */
  readonly chats: ChatsApi;
  /** Journeys (F6): spines, mappings, the board, public hooks. */
  readonly journeys: JourneysApi;
  /** Entities walking journeys (F6.2). */
  readonly entities: EntitiesApi;
  /** Answers to webhook tasks, by their callback token (the callback route's library side). */
  readonly webhooks: WebhooksApi;
  /** Runs resumed at start-up. */
  readonly recovered: number;
  /** This process's id in leases and step records (shared stores). */
  readonly workerId: string | undefined;
  /** Whether this process runs steps (false: a client of workers, `execute: false`). */
  readonly executes: boolean;
  /**
   * Keeps a run driven here while this process lives (stores with leases): taken over as soon as
   * it is free — at once if nobody holds it, when its lease runs out if its holder died — and its
   * timers and retries fired. No-op on the memory store, whose process drives every run.
   */
  keep(runId: string): void;
  close(): Promise<void>;
}

function isModels(value: RunloomOptions['models']): value is Models {
  return typeof (value as Models | undefined)?.get === 'function' && typeof (value as Models).list === 'function';
}

export async function createRunloom(options: RunloomOptions = {}): Promise<Runloom> {
  const wantsWorker = options.worker !== undefined && options.worker !== false;
  if (wantsWorker && options.execute === false) {
    throw new RunloomError('INVALID_OPTIONS', 'a worker executes steps: `worker` and `execute: false` do not go together');
  }
  checkOutputLimits(options.outputLimits);
  // Before the store is opened: a bad config is refused with nothing to clean up.
  const models = isModels(options.models)
    ? options.models
    : createModels({ config: loadConfig(options.config), ...(options.models ? { models: options.models } : {}) });
  const store =
    typeof options.store === 'object' ? options.store : openStore(options.store, { durability: options.durability ?? 'normal' });
  await store.init();
  const bus = typeof options.bus === 'object' ? options.bus : openBus(options.bus, options.log);
  try {
    await bus.ready();
  } catch (error) {
    await bus.close().catch(() => {});
    if (typeof options.store !== 'object') await store.close().catch(() => {});
    throw error;
  }
  const actions = createActionRegistry([...builtinActions(), ...(options.actions ?? [])]);
  const scripts = options.bpmnScripts ? new ScriptSandbox(options.bpmnScripts === true ? {} : options.bpmnScripts) : undefined;
  if (scripts) actions.register(scriptAction(scripts));
  const flows = await createFlowsApi(store, actions, aiEstimator(models, actions));
  const shared = store.leases ? { owner: options.workerId ?? defaultWorkerId(), execute: options.execute ?? true } : undefined;
  const log = options.log ?? (() => {});
  const webhooks = new Webhooks(store.webhookCalls, options.webhooks ?? {}, options.clock?.now ?? Date.now);
  const executes = shared?.execute ?? true;
  const runtimeOptions: RuntimeOptions = {
    store,
    bus,
    actions,
    resolveFlow: flows.compiled,
    executors: {
      task: webhooks.executor(taskExecutor(actions)),
      ...aiExecutors({
        models,
        actions,
        publishLive: (runId, event) => bus.publishLive(runId, event),
        ...(options.clock ? { now: options.clock.now } : {}),
      }),
      ...options.executors,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.outputLimits ? { outputLimits: options.outputLimits } : {}),
  };
  const runtime = shared ? new SharedRuntime(runtimeOptions, shared) : new Runtime(runtimeOptions);
  // A process that executes refuses at start a run whose webhook tasks it could not call.
  const checkStart = executes ? (flow: CompiledFlow) => webhooks.checkFlow(flow) : undefined;
  const runs = createRunsApi(runtime, store, bus, flows, options.clock?.now ?? Date.now, checkStart);
  // Needs the runs API, so it joins the built-ins here.
  actions.register(signalBroadcastAction({ runs, flows }));
  const swarms = createSwarmsApi(store, bus, options.clock?.now ?? Date.now, runs, (flow) => flows.publish(flow));
  for (const action of swarmActions(swarms, async (runId) => (await store.loadRun(runId))?.meta.workspace)) {
    actions.register(action);
  }
  const runOf = (runId: string) => store.loadRun(runId);
  for (const action of agentTools(swarms, runOf)) actions.register(action);
  actions.register(coordinatorAction(swarms, runOf));
  const recovered = options.recover === false ? 0 : await runtime.recover();
  // A process that executes runs on a shared store drives at least the runs it keeps (its own
  // and, with `recover`, the ones left running): their timers and retries fire while it lives.
  const workerOptions: WorkerOptions = wantsWorker
    ? typeof options.worker === 'object'
      ? options.worker
      : {}
    : { scope: 'kept' };
  const worker =
    runtime instanceof SharedRuntime && shared?.execute && store.leases
      ? new Worker(runtime, store.leases, bus, shared.owner, log, workerOptions)
      : undefined;
  await worker?.start();
  const now = options.clock?.now ?? Date.now;
  const prompts = createPromptsApi(store.prompts, models, { ...options.prompts, now });
  const chats = createChatsApi(store.chats, runs, now);
  // An arrival written here wakes progression at once instead of at its next poll.
  const journeyContext = createJourneyContext(store, flows, options.clock?.now, () => progression?.wake());
  const entities = createEntitiesApi(journeyContext);
  const journeys = createJourneysApi(journeyContext, entities.in);
  const progression =
    options.journeys === false || !(shared?.execute ?? true)
      ? undefined
      : createProgression(journeyContext, runs, { log, ...options.journeys });
  progression?.start();
  return {
    store,
    bus,
    actions,
    flows,
    runs,
    swarms,
    prompts,
    chats,
    journeys,
    entities,
    webhooks,
    recovered,
    workerId: shared?.owner,
    executes,
    keep(runId) {
      if (!(runtime instanceof SharedRuntime) || !worker) return;
      runtime.keep([runId]);
      worker.poll();
    },
    async close() {
      prompts.close();
      await progression?.close();
      await worker?.close();
      await runtime.close();
      webhooks.close();
      await bus.close();
      await store.close();
      await scripts?.close();
    },
  };
}

function checkOutputLimits(limits: Partial<OutputLimits> | undefined): void {
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new RunloomError('INVALID_OPTIONS', `outputLimits.${name} must be a positive whole number, not ${String(value)}`);
    }
  }
}
