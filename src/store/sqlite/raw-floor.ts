/**
 * The physical floor of the embedded store: plain single-row inserts, each in its own
 * transaction, on a fresh file with the store's pragmas. Whatever the engine reaches in durable
 * mode is compared against this (the benchmark prints both).
 */
import { rmSync } from 'node:fs';
import type { Durability } from '../store.js';
import { openDatabase } from './open-database.js';

/**
 * @example
 * const { rowsPerSecond } = await sqliteRawFloor('/tmp/floor.db', 'strict', 5_000);
 */
export async function sqliteRawFloor(path: string, durability: Durability, rows: number): Promise<{ rowsPerSecond: number }> {
  removeDatabase(path);
  const db = openDatabase(path, durability);
  try {
    db.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO floor (id, payload) VALUES (?, ?)');
    const begin = db.prepare('BEGIN');
    const commit = db.prepare('COMMIT');
    const payload = 'x'.repeat(100);
    const start = process.hrtime.bigint();
    for (let i = 1; i <= rows; i++) {
      begin.run();
      insert.run(i, payload);
      commit.run();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { rowsPerSecond: rows / seconds };
  } finally {
    db.close();
    removeDatabase(path);
  }
}

/** A fresh file each time: leftovers from an earlier run (and their WAL) would skew the floor. */
function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}
