/**
 * The storage seam's public face: the interface, its implementations, and `openStore()` which
 * picks one from a URL so callers (CLI, server, benchmarks) never branch on the technology.
 */
import { RunloomError } from '../errors.js';
import { createMemoryStore } from './memory/memory-store.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { DEFAULT_SQLITE_PATH } from './sqlite/open-database.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { Durability, Store } from './store.js';

export { createMemoryStore } from './memory/memory-store.js';
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { DEFAULT_SQLITE_PATH } from './sqlite/open-database.js';
export { sqliteRawFloor } from './sqlite/raw-floor.js';
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export type * from './store.js';

export interface OpenStoreOptions {
  /** SQLite only; defaults to `normal` (survives a process crash; `strict` also survives power loss). */
  readonly durability?: Durability;
}

/** `scheme://…` with a scheme longer than one letter (so `C:\runs.db` stays a file path). */
const SCHEME = /^([a-z][a-z0-9+.-]+):\/\//i;

/**
 * Opens the store a URL names. Call `init()` on the result before use.
 *
 * - `undefined` or `''` → SQLite at `./.runloom/runloom.db`
 * - `sqlite:./data/runs.db`, `sqlite:///abs/runs.db`, `sqlite::memory:`, or a plain file path → SQLite
 * - `memory:` → the in-memory store (nothing persisted)
 * - `postgres://…` or `postgresql://…` → PostgreSQL, tables in the `public` schema; query
 *   parameters `schema=name` (another schema) and `lease_ms=15000` (how long a worker's lease
 *   on a run lasts without renewal) are Runloom's, the rest go to the driver
 *
 * @example
 * const store = openStore(process.env.RUNLOOM_STORE, { durability: 'strict' });
 * await store.init();
 */
export function openStore(url?: string, options: OpenStoreOptions = {}): Store {
  const durability = options.durability ?? 'normal';
  const target = url?.trim() ?? '';
  if (target === '') return createSqliteStore({ path: DEFAULT_SQLITE_PATH, durability });
  if (/^memory:(\/\/)?$/i.test(target)) return createMemoryStore();
  if (/^sqlite:/i.test(target)) {
    let path = target.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs → /abs, sqlite://rel → rel
    // Only a `sqlite:` URL has a query (a bare path is taken as it is, `?` and all).
    const query = path.indexOf('?');
    const leaseMs = query < 0 ? undefined : sqliteLease(new URLSearchParams(path.slice(query + 1)));
    if (query >= 0) path = path.slice(0, query);
    return createSqliteStore({
      path: path === '' ? DEFAULT_SQLITE_PATH : path,
      durability,
      ...(leaseMs === undefined ? {} : { leaseMs }),
    });
  }
  const scheme = SCHEME.exec(target)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return openPostgres(target);
  if (scheme !== undefined) {
    throw new RunloomError(
      'STORE_UNSUPPORTED',
      `unknown store URL scheme '${scheme}://': use sqlite:<path>, memory: or a file path`,
      {
        details: { scheme },
      },
    );
  }
  return createSqliteStore({ path: target, durability });
}

/** `lease_ms`: how long a lease on a run lasts without renewal; absent: the store's default. */
function leaseOf(params: URLSearchParams): number | undefined {
  const lease = params.get('lease_ms');
  const leaseMs = lease === null ? undefined : Number(lease);
  if (leaseMs !== undefined && !(Number.isInteger(leaseMs) && leaseMs >= 100)) {
    throw new RunloomError('STORE_INVALID', `lease_ms must be a whole number of milliseconds, at least 100 (got '${lease}')`, {
      details: { lease_ms: lease },
    });
  }
  return leaseMs;
}

/** A `sqlite:` URL's query: `lease_ms` and nothing else. */
function sqliteLease(params: URLSearchParams): number | undefined {
  for (const name of params.keys()) {
    if (name !== 'lease_ms') {
      throw new RunloomError('STORE_INVALID', `unknown option '${name}' in a sqlite: store URL (it takes lease_ms)`, {
        details: { option: name },
      });
    }
  }
  return leaseOf(params);
}

function openPostgres(target: string): Store {
  const url = new URL(target);
  const schema = url.searchParams.get('schema') ?? undefined;
  const leaseMs = leaseOf(url.searchParams);
  url.searchParams.delete('schema');
  url.searchParams.delete('lease_ms');
  return createPostgresStore({
    url: url.toString(),
    ...(schema === undefined ? {} : { schema }),
    ...(leaseMs === undefined ? {} : { leaseMs }),
  });
}
