/**
 * Property (F4.5): whatever the interleaving of messages, failures and cancels over many prompt
 * runs, every run's totals equal the sum of its tasks — tokens and credits, exactly — on a real
 * SQLite file and, with RUNLOOM_TEST_PG_URL, on PostgreSQL (a fresh schema per case, dropped).
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunloom } from '../../src/runloom.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { mockModel } from './mock-model.js';

const CHAT = `
format: runloom/prompt-v1
id: chat
system: "You answer briefly."
`;

type Step = { kind: 'ok' | 'fail' | 'cancel'; input: number; output: number; delayMs: number };

const dir = mkdtempSync(join(tmpdir(), 'runloom-totals-'));
const pgUrl = process.env.RUNLOOM_TEST_PG_URL;
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

const stores: Record<string, ((round: number) => Store) | undefined> = {
  SQLite: (round) => createSqliteStore({ path: join(dir, `totals-${round}.db`), durability: 'normal' }),
  PostgreSQL: pgUrl
    ? () => {
        const schema = `runloom_totals_${randomBytes(5).toString('hex')}`;
        schemas.push(schema);
        return createPostgresStore({ url: pgUrl, schema });
      }
    : undefined,
};

describe.each(Object.entries(stores))('prompt run totals on %s', (_name, open) => {
  (open ? it : it.skip)(
    'equal the sum of their tasks under any interleaving of messages, failures and cancels',
    async () => {
      const openStore = open as (round: number) => Store;
      // The message says how to answer it: `ok 12 7 3` = 12 tokens in, 7 out, 3 ms between pieces.
      const script = mockModel((call) => {
        const [kind, input, output, delay] = (script.received[call].messages.at(-1)?.text ?? '').split(' ');
        if (kind === 'fail') return { fail: 'provider down' };
        const text = 'word '.repeat(Number(output) + 1).trim();
        return {
          text,
          pieces: 4,
          delayMs: Number(delay),
          usage: kind === 'cancel' ? null : { input: Number(input), output: Number(output) },
        };
      });
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.array(
              fc.record({
                kind: fc.constantFrom<Step['kind']>('ok', 'fail', 'cancel'),
                input: fc.integer({ min: 0, max: 5_000 }),
                output: fc.integer({ min: 0, max: 300 }),
                delayMs: fc.integer({ min: 0, max: 3 }),
              }),
              { maxLength: 5 },
            ),
            { minLength: 1, maxLength: 4 },
          ),
          async (plans) => {
            const store = openStore(round++);
            const runloom = await createRunloom({
              store,
              models: { default: { model: script.model, price: { input: 1.25, output: 7.5 } } },
            });
            try {
              await runloom.prompts.publish(CHAT);
              // Every run sends its messages in turn; the runs go at the same time.
              const runs = await Promise.all(plans.map(() => runloom.prompts.start('chat')));
              await Promise.all(
                plans.map(async (steps, r) => {
                  for (const step of steps) {
                    const text = `${step.kind} ${step.input} ${step.output} ${step.delayMs}`;
                    const reply = await runs[r].send(text);
                    if (step.kind === 'cancel') {
                      for await (const _ of reply) {
                        reply.cancel();
                      }
                    }
                    await reply.done;
                  }
                }),
              );
              for (const run of runs) {
                const info = await run.info();
                const tasks = await run.history();
                const sum = (f: (t: (typeof tasks)[number]) => number) => tasks.reduce((s, t) => s + f(t), 0);
                expect(tasks.every((t) => t.status !== 'streaming')).toBe(true);
                expect(info.tasks).toBe(tasks.length);
                expect(info.totals).toEqual({
                  tokensIn: sum((t) => t.tokensIn),
                  tokensOut: sum((t) => t.tokensOut),
                  credits: sum((t) => t.credits),
                });
              }
            } finally {
              await runloom.close();
            }
          },
        ),
        { numRuns: 25 },
      );
    },
    120_000,
  );
});
