/** Opens Runloom for one CLI command, with the store and durability the options and environment name. */

import { RequestError, RunloomError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import type { Durability, Store } from '../store/store.js';

export interface GlobalOptions {
  readonly store?: string;
  readonly durability?: string;
  readonly json?: boolean;
}

export function storeUrl(options: GlobalOptions): string | undefined {
  return options.store ?? process.env.RUNLOOM_DATABASE_URL ?? process.env.RUNLOOM_STORE;
}

/** Checked before anything else is done, so a bad value is refused before the store is touched. */
export function durabilityOf(options: GlobalOptions): Durability {
  const durability = options.durability ?? process.env.RUNLOOM_DURABILITY ?? 'normal';
  if (durability !== 'strict' && durability !== 'normal') {
    throw new RequestError('BAD_REQUEST', `--durability must be strict or normal, not '${durability}'`);
  }
  return durability;
}

/**
 * The engine and the store are loaded here, on first use, not when the command starts: `--help`,
 * a typo or a bad argument is answered without loading them (most of the start-up time).
 */
export async function openRunloom(options: GlobalOptions, recover: boolean): Promise<Runloom> {
  const durability = durabilityOf(options);
  const [{ createRunloom }, { DEFAULT_SQLITE_PATH, openStore }] = await Promise.all([
    import('../runloom.js'),
    import('../store/index.js'),
  ]);
  const log = process.env.RUNLOOM_DEBUG
    ? (message: string, data?: unknown) => console.error(`[runloom] ${message}`, data ?? '')
    : undefined;
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
  try {
    return await createRunloom({ store, durability, recover, ...(log ? { log } : {}) });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}
