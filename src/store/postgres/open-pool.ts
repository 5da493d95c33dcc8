/**
 * Opens a `pg.Pool` on one schema. Every connection of the pool starts with `search_path` set to
 * the store's schema, so the SQL of each operation stays unqualified and one database can hold
 * several isolated stores (tests, tenants).
 */
import pg from 'pg';
import { RunloomError } from '../../errors.js';

export type PostgresPool = pg.Pool;

const INT8_OID = 20;

/** BIGINT columns (times, seqs) and COUNT(*) come back as JS numbers, not strings. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Plain identifiers only: the name goes into `search_path` and DDL unquoted. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!IDENTIFIER.test(schema)) {
    throw new RunloomError('STORE_INVALID', `invalid PostgreSQL schema name '${schema}': use lower-case letters, digits and _`, {
      details: { schema },
    });
  }
}

/**
 * @example
 * const pool = openPool('postgres://postgres@127.0.0.1:5432/runloom', 'public', 10);
 */
export function openPool(url: string, schema: string, poolSize: number): PostgresPool {
  assertSchemaName(schema);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: `-c search_path=${schema}`, types });
  // An idle client losing its connection (server restart) must not crash the process: the pool
  // drops it and the next query opens a new one.
  pool.on('error', () => {});
  return pool;
}
