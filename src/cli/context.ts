/** Opens Runloom for one CLI command, with the store and durability the options and environment name. */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActionDefinition } from '../actions/action.js';
import { RequestError, RunloomError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import type { Durability, Store } from '../store/store.js';
import type { WorkerOptions } from '../worker/worker.js';

export interface GlobalOptions {
  readonly store?: string;
  readonly bus?: string;
  /** Modules of actions besides the built-ins (repeatable `--actions`). */
  readonly actions?: readonly string[];
  readonly durability?: string;
  /** runloom.config.yaml elsewhere (models, prices). */
  readonly config?: string;
  readonly json?: boolean;
  /** Run BPMN script tasks in the script sandbox (`--bpmn-scripts`). */
  readonly bpmnScripts?: boolean;
}

/** What this process does on a shared store (see RunloomOptions.worker / execute). */
export interface Role {
  readonly worker?: WorkerOptions;
  readonly execute?: boolean;
  readonly workerId?: string;
  /** false: no journey progression here (a short command: `serve` and workers move entities). */
  readonly journeys?: false;
  /** Wraps the opened store (metrics): what Runloom then uses. */
  readonly wrapStore?: (store: Store) => Store;
}

export function storeUrl(options: GlobalOptions): string | undefined {
  return options.store ?? process.env.RUNLOOM_DATABASE_URL ?? process.env.RUNLOOM_STORE;
}

export function busUrl(options: GlobalOptions): string | undefined {
  return options.bus ?? process.env.RUNLOOM_REDIS_URL;
}

/**
 * `--actions <module>`: a JS/TS module whose default export (or `actions` export) is an array of
 * actions (defineAction). Flows using them validate where the module is loaded; on a shared
 * store, only the workers that load it run those steps.
 */
async function loadActionModules(modules: readonly string[]): Promise<ActionDefinition[]> {
  const actions: ActionDefinition[] = [];
  for (const module of modules) {
    let loaded: { default?: unknown; actions?: unknown };
    if (/\.[cm]?ts$/.test(module)) await registerTypeScript(module);
    try {
      loaded = await import(pathToFileURL(resolve(module)).href);
    } catch (error) {
      throw new RequestError('BAD_REQUEST', `--actions '${module}' cannot be loaded: ${(error as Error).message}`);
    }
    const list = loaded.actions ?? loaded.default;
    if (!Array.isArray(list) || list.some((a) => typeof a?.name !== 'string' || typeof a?.run !== 'function')) {
      throw new RequestError('BAD_REQUEST', `--actions '${module}' must export an array of actions (default or 'actions')`);
    }
    actions.push(...(list as ActionDefinition[]));
  }
  return actions;
}

/**
 * Node cannot import TypeScript by itself (before 23.6): a `.ts` actions module is loaded through
 * tsx's loader when the project has tsx. Runloom itself runs compiled and never needs it.
 */
let typeScriptLoaded = false;

async function registerTypeScript(module: string): Promise<void> {
  if (typeScriptLoaded) return;
  let tsx: { register: () => unknown };
  try {
    const specifier = 'tsx/esm/api'; // a variable, so that tsc does not need tsx to build Runloom
    tsx = await import(specifier);
  } catch {
    throw new RequestError(
      'BAD_REQUEST',
      `--actions '${module}' is TypeScript: install tsx beside it (npm install --save-dev tsx) or compile it to .js`,
    );
  }
  tsx.register();
  typeScriptLoaded = true;
}

/** Log messages shown without RUNLOOM_DEBUG. */
const WARNINGS = new Set(['bus connection lost, retrying', 'bus connection back']);

/** Checked before anything else is done, so a bad value is refused before the store is touched. */
export function durabilityOf(options: GlobalOptions): Durability {
  const durability = options.durability ?? process.env.RUNLOOM_DURABILITY ?? 'normal';
  if (durability !== 'strict' && durability !== 'normal') {
    throw new RequestError('BAD_REQUEST', `--durability must be strict or normal, not '${durability}'`);
  }
  return durability;
}

/** A positive whole number from the environment, or undefined when the variable is not set. */
function positiveEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = /^[0-9]+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new RequestError('BAD_REQUEST', `${name} must be a positive whole number, not '${text}'`);
  }
  return value;
}

/** RUNLOOM_STEP_OUTPUT_MAX_BYTES / _MAX_DEPTH: what a step's output may be (checked up front). */
export function outputLimitsOf(): { maxBytes?: number; maxDepth?: number } {
  const maxBytes = positiveEnv('RUNLOOM_STEP_OUTPUT_MAX_BYTES');
  const maxDepth = positiveEnv('RUNLOOM_STEP_OUTPUT_MAX_DEPTH');
  return { ...(maxBytes ? { maxBytes } : {}), ...(maxDepth ? { maxDepth } : {}) };
}

/**
 * The engine and the store are loaded here, on first use, not when the command starts: `--help`,
 * a typo or a bad argument is answered without loading them (most of the start-up time).
 */
export async function openRunloom(options: GlobalOptions, recover: boolean, role: Role = {}): Promise<Runloom> {
  const durability = durabilityOf(options);
  const outputLimits = outputLimitsOf();
  const [{ createRunloom }, { DEFAULT_SQLITE_PATH, openStore }] = await Promise.all([
    import('../runloom.js'),
    import('../store/index.js'),
  ]);
  const debug = Boolean(process.env.RUNLOOM_DEBUG);
  // Without RUNLOOM_DEBUG, only what the user must know: the bus lost and back (once each).
  const log = (message: string, data?: unknown) => {
    if (debug) console.error(`[runloom] ${message}`, data ?? '');
    else if (WARNINGS.has(message)) console.error(`runloom: ${message} (${(data as { url?: string } | undefined)?.url ?? ''})`);
  };
  // A store that cannot be opened (a directory, not a database, an unknown scheme) is a bad
  // argument: say which store and why, without the driver's stack.
  const url = storeUrl(options);
  let store: Store | undefined;
  try {
    store = openStore(url, { durability });
    await store.init();
  } catch (error) {
    await store?.close().catch(() => {});
    const where = options.store !== undefined ? '--store' : url !== undefined ? 'the store' : 'the default store';
    const reason = error instanceof Error ? error.message : String(error);
    throw new RequestError('BAD_REQUEST', `${where} '${url ?? DEFAULT_SQLITE_PATH}' cannot be opened: ${reason}`, {
      details: { store: url ?? DEFAULT_SQLITE_PATH, code: error instanceof RunloomError ? error.code : undefined },
      cause: error,
    });
  }
  if (store.leases === undefined && (role.worker || role.execute === false)) {
    await store.close().catch(() => {});
    throw new RequestError(
      'BAD_REQUEST',
      `${role.worker ? 'runloom worker' : '--queue'} needs a store that several processes share (a SQLite file or postgres://…), not '${url ?? DEFAULT_SQLITE_PATH}'`,
    );
  }
  try {
    const actions = options.actions?.length ? await loadActionModules(options.actions) : [];
    return await createRunloom({
      store: role.wrapStore ? role.wrapStore(store) : store,
      durability,
      recover,
      actions,
      log,
      ...(options.config ? { config: options.config } : {}),
      ...(busUrl(options) ? { bus: busUrl(options) } : {}),
      ...(role.worker ? { worker: role.worker } : {}),
      ...(role.execute === undefined ? {} : { execute: role.execute }),
      ...(role.workerId ? { workerId: role.workerId } : {}),
      ...(role.journeys === false ? { journeys: false as const } : {}),
      outputLimits,
      ...(options.bpmnScripts ? { bpmnScripts: true } : {}),
    });
  } catch (error) {
    await store.close().catch(() => {});
    // An unreachable bus is a bad argument: one sentence naming it, exit 2.
    if (error instanceof RunloomError && error.code === 'BUS_UNREACHABLE') {
      throw new RequestError('BAD_REQUEST', `${options.bus !== undefined ? '--bus' : 'RUNLOOM_REDIS_URL'}: ${error.message}`, {
        details: error.details,
      });
    }
    throw error;
  }
}
