/**
 * The raw floors, measured in the same run: what the storage itself can commit, with no engine.
 *
 * Modes: `normal` and `strict` (plain SQLite, one single-row INSERT per transaction on a fresh
 * file with Runloom's pragmas: src/store/sqlite/raw-floor.ts), `postgres` (plain pg, one
 * single-row INSERT per transaction — an autocommit statement, one round trip — on one
 * connection, in a table of the bench's own database).
 * A "step" here is one committed row; W1 is the only workload.
 */
import { join } from 'node:path';
import pg from 'pg';
import { sqliteRawFloor } from '../../../dist/src/store/index.js';
import { counter } from '../lib/workloads.mjs';

/** Rows per "run": W1 counts 10 steps per run, so the floor commits 10 rows per run too. */
const ROWS_PER_RUN = 10;

export async function open(mode, ctx) {
  if (mode === 'normal' || mode === 'strict') {
    return {
      W1: async (runs) => {
        const rows = runs * ROWS_PER_RUN;
        await sqliteRawFloor(join(ctx.dir, 'floor.db'), mode, rows);
        counter.steps += rows;
      },
      close: async () => {},
    };
  }
  if (mode !== 'postgres') throw new Error(`floor: unknown mode ${mode}`);
  const client = new pg.Client({ connectionString: ctx.pgUrl });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS bench_floor (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)');
  const payload = 'x'.repeat(100);
  return {
    W1: async (runs) => {
      for (let i = 0; i < runs * ROWS_PER_RUN; i++) {
        await client.query({ name: 'floor-insert', text: 'INSERT INTO bench_floor (payload) VALUES ($1)', values: [payload] });
        counter.steps++;
      }
    },
    close: () => client.end(),
  };
}
