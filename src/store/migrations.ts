/**
 * Numbered migrations, the part every SQL store shares: which ones are still to apply, and the
 * refusal to open a database that a newer Runloom has migrated. Each dialect runs them its way.
 */
import { RunloomError } from '../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The migrations not yet in `applied`, in order. Throws STORE_SCHEMA_NEWER past the newest known. */
export function pendingMigrations(migrations: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  const known = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new RunloomError(
      'STORE_SCHEMA_NEWER',
      `the database schema is at version ${newest} but this Runloom knows only up to ${known}: upgrade Runloom`,
    );
  }
  return migrations.filter((m) => !applied.has(m.version));
}
