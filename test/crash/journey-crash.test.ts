/**
 * Journeys survive kill -9 (F6.4): 200 entities walk a 5-step journey (each step a mapped flow)
 * while the processes driving them are SIGKILLed at random moments, 20+ times — on a SQLite file
 * (one process at a time) and on PostgreSQL (two workers at once, one killed each time). Then:
 * no entity lost (all completed), no move doubled (each step arrived at once, four moves, one
 * completion), and exactly one run per arrival (1,000 runs of `step`, each an arrival's).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunloom } from '../../src/runloom.js';
import { createPostgresStore, createSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { Child, seededRandom, sleep } from './harness.js';
import { ENTITIES, STEPS } from './journey-worker.js';

const KILLS = 20;
const dir = mkdtempSync(join(tmpdir(), 'runloom-journey-crash-'));
const children: Child[] = [];
const url = process.env.RUNLOOM_TEST_PG_URL;
const schema = `runloom_jcrash_${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  for (const child of children) await child.kill();
  rmSync(dir, { recursive: true, force: true });
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

async function standby(target: string, stepMs: number): Promise<Child> {
  const child = new Child('journey-worker.ts', [target, String(stepMs), '--standby']);
  children.push(child);
  await child.line('standby', 60_000);
  return child;
}

/**
 * Kills `parallel` workers at random moments, KILLS times in all, then lets fresh ones finish.
 * With one worker most kills wait for it to be set up (else start-ups are all that gets killed);
 * with two, the other one moves entities while the next one starts.
 */
async function chaos(target: string, parallel: number, stepMs: number): Promise<number> {
  const seed = Number(process.env.RUNLOOM_CRASH_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  // Two loaded ahead: starting a process (tsx) takes seconds, kills must come faster.
  const warm = [standby(target, stepMs), standby(target, stepMs)];
  const next = async () => {
    const child = await warm.shift()!;
    warm.push(standby(target, stepMs));
    child.send('go');
    return child;
  };
  const running: Child[] = [];
  for (let i = 0; i < parallel; i++) running.push(await next());
  let kills = 0;
  while (kills < KILLS) {
    // Most kills land while entities move (after set-up), some during start-up and recovery.
    if (random() < (parallel === 1 ? 0.75 : 0.25)) await Promise.race(running.map((c) => c.line('ready', 60_000)));
    await sleep(50 + random() * 700);
    const victim = running.splice(Math.floor(random() * running.length), 1)[0];
    if (victim.lines.includes('done')) break; // finished before the schedule did: nothing left to kill
    await victim.kill();
    kills++;
    running.push(await next());
  }
  const finals = [...running, ...(running.length < parallel ? [await next()] : [])];
  await Promise.all(finals.map((c) => c.line('done', 120_000)));
  for (const child of await Promise.all(warm)) await child.kill();
  console.log(`journey chaos on ${target.split('?')[0]}: ${kills} kills (seed ${seed})`);
  return kills;
}

async function verify(store: Store): Promise<void> {
  const runloom = await createRunloom({ store, journeys: false, recover: false, execute: false });
  try {
    const entities = (await runloom.entities.list('walk', { limit: 1000 })).entities;
    expect(entities).toHaveLength(ENTITIES);
    expect(entities.every((e) => e.status === 'completed')).toBe(true);
    const board = await runloom.journeys.board('walk');
    expect(board).toMatchObject({ completed: ENTITIES, total: ENTITIES });
    const runIds = new Set<string>();
    for (const entity of entities) {
      const timeline = await runloom.entities.timeline(entity.id);
      const of = (type: string) => timeline.filter((e) => e.type === type);
      expect(
        of('arrived').map((e) => e.data.nodeId),
        entity.id,
      ).toEqual(STEPS);
      expect(of('moved'), entity.id).toHaveLength(STEPS.length - 1);
      expect(of('journey.completed'), entity.id).toHaveLength(1);
      expect(of('run.completed'), entity.id).toHaveLength(STEPS.length);
      for (const started of of('run.started')) runIds.add(started.data.runId as string);
      expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    }
    expect(runIds.size).toBe(ENTITIES * STEPS.length);
    const runs = await store.listRuns({ flowId: 'step', limit: 100_000 });
    expect(runs).toHaveLength(ENTITIES * STEPS.length);
    expect(runs.every((r) => runIds.has(r.id) && r.status === 'completed')).toBe(true);
  } finally {
    await runloom.close();
  }
}

describe('journeys under kill -9', () => {
  it(`SQLite: ${KILLS} kills, nothing lost or doubled`, { timeout: 300_000 }, async () => {
    const path = join(dir, 'journey.db');
    expect(await chaos(path, 1, 100)).toBeGreaterThanOrEqual(KILLS);
    await verify(createSqliteStore({ path, durability: 'normal' }));
  });

  it.skipIf(!url)(
    `PostgreSQL with two workers: ${KILLS} kills, nothing lost or doubled${url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL)'}`,
    { timeout: 300_000 },
    async () => {
      const target = `${url}${url!.includes('?') ? '&' : '?'}schema=${schema}`;
      expect(await chaos(target, 2, 8_000)).toBeGreaterThanOrEqual(KILLS);
      await verify(createPostgresStore({ url: url!, schema }));
    },
  );
});
