/** The bus seam's public face: `openBus()` picks an implementation from a URL. */
import { RunloomError } from '../errors.js';
import type { Bus } from './bus.js';
import { createMemoryBus } from './memory/memory-bus.js';
import { createRedisBus } from './redis/redis-bus.js';

export type * from './bus.js';
export { createMemoryBus } from './memory/memory-bus.js';
export { createRedisBus, type RedisBusOptions } from './redis/redis-bus.js';

/**
 * - `undefined`, `''` or `memory:` → the in-process bus
 * - `redis://host:6379[/db][?prefix=name]` (or `rediss://`) → Redis pub/sub; `prefix` keeps
 *   deployments sharing one Redis apart (default `runloom`)
 */
export function openBus(url?: string, log?: (message: string, data?: unknown) => void): Bus {
  const target = url?.trim() ?? '';
  if (target === '' || /^memory:(\/\/)?$/i.test(target)) return createMemoryBus();
  if (/^rediss?:\/\//i.test(target)) {
    const parsed = new URL(target);
    const prefix = parsed.searchParams.get('prefix') ?? undefined;
    parsed.searchParams.delete('prefix');
    return createRedisBus({ url: parsed.toString(), ...(prefix ? { prefix } : {}), ...(log ? { log } : {}) });
  }
  throw new RunloomError('BUS_UNSUPPORTED', `unknown bus URL '${target}': use redis://host:port or memory:`, {
    details: { url: target },
  });
}
