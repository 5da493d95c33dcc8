/**
 * Applies pending numbered migrations once each, recording them in `schema_migrations`.
 * Safe to run on every open: already applied versions are skipped.
 */
import { RunloomError } from '../../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { SqliteDatabase } from './open-database.js';

export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  // IMMEDIATE: two processes opening a fresh file at once must not both apply migration 1.
  db.transaction(() => {
    const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const known = migrations.at(-1)?.version ?? 0;
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new RunloomError(
        'STORE_SCHEMA_NEWER',
        `the database schema is at version ${newest} but this Runloom knows only up to ${known}: upgrade Runloom`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
  }).immediate();
}
