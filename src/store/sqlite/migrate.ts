/**
 * Applies pending numbered migrations once each, recording them in `schema_migrations`.
 * Safe to run on every open: already applied versions are skipped.
 */
import { pendingMigrations } from '../migrations.js';
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
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of pendingMigrations(migrations, applied)) {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
  }).immediate();
}
