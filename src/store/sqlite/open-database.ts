/**
 * Opens a SQLite file with Runloom's pragmas. Shared by the store and by the raw-floor benchmark
 * so both measure the same physical setup.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Durability } from '../store.js';

export type SqliteDatabase = Database.Database;

/** The app's embedded database file (F8.1). */
export const DEFAULT_SQLITE_PATH = './.runloom/runloom.db';

/** `:memory:` and `''` (a private temp database) have no directory to create. */
export const isFileless = (path: string) => path === ':memory:' || path === '' || path.startsWith('file::memory:');

/**
 * Opens (creating the directory and file if needed) and applies the pragmas.
 *
 * @example
 * const db = openDatabase('./.runloom/runloom.db', 'normal');
 */
export function openDatabase(path: string, durability: Durability): SqliteDatabase {
  if (!isFileless(path)) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    applyPragmas(db, durability);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function applyPragmas(db: SqliteDatabase, durability: Durability): void {
  // WAL: readers never block the writer, and a commit is one sequential append to the log.
  db.pragma('journal_mode = WAL');
  // In WAL mode FULL fsyncs the log at every commit (survives power loss); NORMAL fsyncs only
  // at checkpoints, so a commit survives a process crash (the OS has the pages) but the last
  // commits may be lost with the machine.
  db.pragma(`synchronous = ${durability === 'strict' ? 'FULL' : 'NORMAL'}`);
  // Other processes (CLI next to a server) may hold the write lock briefly: wait, don't fail.
  db.pragma('busy_timeout = 5000');
  // 64 MiB page cache (negative = KiB); the hot set is the runs table and index tails.
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  // Reads through mmap skip a copy per page; writes still go through the WAL.
  db.pragma('mmap_size = 268435456');
  // Keep the log from growing without bound after a burst (F8.4): truncate to 64 MiB.
  db.pragma('journal_size_limit = 67108864');
}
