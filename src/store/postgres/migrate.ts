/**
 * Applies pending numbered migrations once each, recording them in `schema_migrations`.
 *
 * Several workers may start at once on a fresh database: the whole run happens in one
 * transaction (PostgreSQL DDL is transactional) under a transaction-scoped advisory lock keyed
 * by the schema, so the second worker waits, then finds everything applied.
 */
import { pendingMigrations } from '../migrations.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { PostgresPool } from './open-pool.js';

/** First half of the advisory lock key: "Runloom migrations" (the second is the schema's hash). */
const LOCK_CLASS = 0x52_4c_4d_31;

export async function migrate(pool: PostgresPool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    // After the lock: two concurrent CREATE SCHEMA IF NOT EXISTS can still collide. Looked up
    // first because CREATE SCHEMA checks the CREATE privilege on the database even when the
    // schema exists, which a role confined to `public` lacks.
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at BIGINT NOT NULL
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const m of pendingMigrations(migrations, applied)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
