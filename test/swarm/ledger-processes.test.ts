/**
 * The ledger across real processes on PostgreSQL (F5.4): 4 processes × 250 concurrent
 * reservations against one budget never hold more than it; after all settle, the balance is
 * budget − spent exactly; processes killed (SIGKILL) with reservations live lose nothing once
 * their holdings are released (as a lease takeover does).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { auditLedger } from '../../src/swarm/audit.js';
import { pgSchemas } from '../support/pg-schemas.js';

const url = process.env.RUNLOOM_TEST_PG_URL;
const schema = pgSchemas(url, 'runloom_swarmproc')();
const script = fileURLToPath(new URL('./reserver.ts', import.meta.url));

/** Starts a reserver; resolves with its report line and the child (still alive in `hold` mode). */
function reserver(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url as string, schema, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const lineAt = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const lines = out.split('\n');
        if (lines.length > n + 1) resolve(lines[n] as string);
      };
      child.stdout.on('data', check);
      child.on('exit', (code) => reject(new Error(`reserver exited ${code} before line ${n}`)));
    });
  const ready = lineAt(0);
  const line = lineAt(1).then((text) => JSON.parse(text) as { granted: number; spent: number });
  return { child, ready, line };
}

/** A store on the test schema for `fn`, closed after. */
async function withStore(fn: (store: PostgresStore) => Promise<void>): Promise<void> {
  const store = createPostgresStore({ url: url as string, schema });
  await store.init();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

const audit = async (store: PostgresStore, swarmId: string) =>
  auditLedger(swarmId, await store.swarms.accounts(swarmId), await store.swarms.ledger(swarmId));

async function swarmWithRun(store: PostgresStore, budget: number) {
  const id = `swarm_p${randomBytes(5).toString('hex')}`;
  const context = { goal: 'g', resources: { budget } };
  await store.swarms.create(
    { id, workspace: 'default', name: id, status: 'active', version: 1, context, keepVersions: 10, createdAt: 1, updatedAt: 1 },
    { version: 1, context, change: { kind: 'created' }, at: 1 },
    budget,
  );
  await store.swarms.reserve({ swarmId: id, parentId: id, accountId: 'run', kind: 'run', amount: budget, holder: 'run', at: 1 });
  return id;
}

(url ? describe : describe.skip)(
  `ledger across processes on PostgreSQL${url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL)'}`,
  () => {
    it(
      '4 processes × 250 concurrent reservations: never above the budget, balance exact after settling',
      () =>
        withStore(async (store) => {
          const budget = 3_000;
          const swarmId = await swarmWithRun(store, budget);
          const reports = await Promise.all([0, 1, 2, 3].map((p) => reserver([swarmId, 'run', `p${p}`, '250', 'settle']).line));
          const steps = (await store.swarms.accounts(swarmId)).filter((a) => a.kind === 'step');
          // Every reservation was granted only while the run could cover it (live reservations +
          // spent ≤ budget at each one, in the order PostgreSQL serialised them): the audit replays it.
          const report = await audit(store, swarmId);
          expect(report.problems).toEqual([]);
          expect(steps.length).toBe(reports.reduce((n, r) => n + r.granted, 0));
          expect(steps.length).toBeLessThan(1_000); // the budget ran out: the check was exercised
          await store.swarms.close(swarmId, 'run', Date.now());
          const spent = reports.reduce((n, r) => n + r.spent, 0);
          const after = await audit(store, swarmId);
          expect(after).toMatchObject({ ok: true, spent, held: 0, available: budget - spent });
        }),
      120_000,
    );

    it(
      'processes killed with reservations live: releasing their holdings returns every credit',
      () =>
        withStore(async (store) => {
          const budget = 2_000;
          const swarmId = await swarmWithRun(store, budget);
          const children = [0, 1, 2, 3].map((p) => reserver([swarmId, 'run', `k${p}`, '250', p % 2 === 0 ? 'hold' : 'settle']));
          // The holders are killed at a random moment: loading, mid-reservation, or holding.
          const killed = [0, 2].map(
            (p) =>
              new Promise<void>((resolve) => {
                const child = children[p]?.child;
                child?.on('exit', () => resolve());
                void children[p]?.ready.then(() => setTimeout(() => child?.kill('SIGKILL'), Math.random() * 60));
              }),
          );
          for (const p of [0, 2]) children[p]?.line.catch(() => {});
          const reports = await Promise.all(
            [children[1], children[3]].map((c) => c?.line as Promise<{ granted: number; spent: number }>),
          );
          await Promise.all(killed);
          const before = await audit(store, swarmId);
          expect(before.problems).toEqual([]);
          const run = (await store.swarms.accounts(swarmId)).find((a) => a.id === 'run');
          expect(run?.held).toBeGreaterThan(0); // the killed ones' reservations that committed are live
          // The takeover of the dead holders: what they held goes back.
          for (const holder of ['k0', 'k2']) await store.swarms.releaseHolder(holder, Date.now());
          await store.swarms.close(swarmId, 'run', Date.now());
          const spent = reports.reduce((n, r) => n + r.spent, 0);
          const after = await audit(store, swarmId);
          expect(after).toMatchObject({ ok: true, spent, held: 0, available: budget - spent });
        }),
      120_000,
    );
  },
);
