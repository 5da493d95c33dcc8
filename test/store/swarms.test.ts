/**
 * The swarms contract on memory, a SQLite file and PostgreSQL (RUNLOOM_TEST_PG_URL; a fresh
 * schema per store, dropped at the end).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { pgSchemas } from '../support/pg-schemas.js';
import { describeSwarmsContract } from './swarms-contract.js';

const url = process.env.RUNLOOM_TEST_PG_URL;
const freshSchema = pgSchemas(url, 'runloom_swarm');

describeSwarmsContract('memory', async () => createMemoryStore());
describeSwarmsContract('sqlite', async () =>
  createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'runloom-swarms-')), 'r.db'), durability: 'normal' }),
);
(url ? describe : describe.skip)(`postgres${url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL)'}`, () => {
  describeSwarmsContract('postgres', async () => {
    return createPostgresStore({ url: url as string, schema: freshSchema(), poolSize: 20 });
  });
});
