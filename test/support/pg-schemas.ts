/** Fresh PostgreSQL schemas for tests that share the database with others; dropped after all. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

/** Returns a maker of schema names (`<prefix>_<random>`), each dropped when the file's tests end. */
export function pgSchemas(url: string | undefined, prefix: string): () => string {
  const made: string[] = [];
  afterAll(async () => {
    if (!url || made.length === 0) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const schema of made) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });
  return () => {
    const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
    made.push(schema);
    return schema;
  };
}
