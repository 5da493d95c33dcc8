/** Opens Runloom for one CLI command, with the store and durability the options and environment name. */

import { RequestError } from '../errors.js';
import { createRunloom, type Runloom } from '../runloom.js';
import type { Durability } from '../store/store.js';

export interface GlobalOptions {
  readonly store?: string;
  readonly durability?: string;
  readonly json?: boolean;
}

export function storeUrl(options: GlobalOptions): string | undefined {
  return options.store ?? process.env.RUNLOOM_DATABASE_URL ?? process.env.RUNLOOM_STORE;
}

export async function openRunloom(options: GlobalOptions, recover: boolean): Promise<Runloom> {
  const durability = (options.durability ?? process.env.RUNLOOM_DURABILITY ?? 'normal') as Durability;
  if (durability !== 'strict' && durability !== 'normal') {
    throw new RequestError('BAD_REQUEST', `--durability must be strict or normal, not '${durability}'`);
  }
  const log = process.env.RUNLOOM_DEBUG
    ? (message: string, data?: unknown) => console.error(`[runloom] ${message}`, data ?? '')
    : undefined;
  return createRunloom({ store: storeUrl(options), durability, recover, ...(log ? { log } : {}) });
}
