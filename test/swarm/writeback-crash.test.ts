/**
 * Write-backs under crashes (F5.5): a run whose steps append to a swarm's blackboard through
 * `swarm.patch` is killed (SIGKILL) at random moments ≥ 10 times on a SQLite file in strict mode,
 * recovered each time; at the end each append is there exactly once, in order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRunloom } from '../../src/runloom.js';
import { Child } from '../crash/harness.js';

const KILLS = 12;

describe('swarm write-backs across SIGKILLs', () => {
  it(`each append lands exactly once after ${KILLS} kills at random moments`, async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'runloom-writeback-')), 'r.db');
    let kills = 0;
    let finished = false;
    while (!finished) {
      const child = new Child('../swarm/writeback-worker.ts', [db]);
      if (kills < KILLS) {
        await child.line('ready', 60_000);
        await sleep(20 + Math.random() * 150);
        child.process.kill('SIGKILL');
        const exit = await child.exited;
        if (exit.signal === 'SIGKILL') kills++;
        else finished = exit.code === 0;
      } else {
        const line = await child.line('done', 120_000);
        expect(line).toBe('done completed');
        await child.exited;
        finished = true;
      }
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    const runloom = await createRunloom({ store: db, recover: false });
    try {
      const [swarm] = await runloom.swarms.list();
      const log = (await runloom.swarms.view(swarm?.id as string)).blackboard as { log: number[] };
      expect(log.log).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect((await runloom.swarms.get(swarm?.id as string)).version).toBe(41);
    } finally {
      await runloom.close();
    }
  }, 300_000);
});
