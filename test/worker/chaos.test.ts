/**
 * Chaos (issue: scale-out): 3 workers in real processes drive 200 runs of a 50-step flow with
 * parallel branches while, every 2 s, one random worker is killed with SIGKILL and a new one
 * started — 20+ kills. Afterwards every run is completed, each step's output is in the final
 * state exactly once, and no step of any run was committed twice (the store's per-row commit
 * count stays 1, and each step has exactly one completed row and one `step.completed` event).
 */
import { describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../src/engine/types.js';
import { chaosFlow } from './flows.js';
import { canRun, kill, openCluster, skipped, sleep } from './support.js';

const RUNS = 200;
const KILLS = 21;
const describeCluster = canRun ? describe : describe.skip;

describeCluster(`chaos: workers killed under load${skipped}`, () => {
  it(`completes ${RUNS} runs × 50 steps exactly once through ${KILLS} SIGKILLs`, async () => {
    const cluster = await openCluster(1_000);
    try {
      const { flow, steps } = chaosFlow('chaos', 60, 240);
      let next = 0;
      const spawnWorker = () => cluster.startWorker(`w${++next}`);
      await Promise.all([spawnWorker(), spawnWorker(), spawnWorker()]);
      const client = await cluster.client();
      await client.flows.publish(flow);

      // Runs are queued over the first 40 s, so kills land on every phase of their lives.
      const runIds: string[] = [];
      const starting = (async () => {
        for (let i = 0; i < RUNS; i++) {
          runIds.push((await client.runs.start('chaos', { i })).id);
          await sleep(200);
        }
      })();
      let kills = 0;
      while (kills < KILLS) {
        await sleep(2_000);
        const alive = [...cluster.workers.entries()].filter(([, c]) => c.exitCode === null && c.signalCode === null);
        const [id, victim] = alive[Math.floor(Math.random() * alive.length)];
        await kill(victim);
        cluster.workers.delete(id);
        kills++;
        await spawnWorker();
      }
      await starting;

      const until = Date.now() + 120_000;
      let unfinished = runIds.length;
      while (unfinished > 0) {
        if (Date.now() > until) throw new Error(`${unfinished} runs unfinished 120 s after the last kill`);
        await sleep(500);
        const states = await Promise.all(runIds.map((id) => client.store.loadRun(id)));
        unfinished = states.filter((s) => !s || !TERMINAL_STATUSES.has(s.status)).length;
      }

      const pool = (client.store as unknown as { pool: import('pg').Pool }).pool;
      for (const runId of runIds) {
        const state = await client.runs.state(runId);
        expect(state.status, runId).toBe('completed');
        // Each step's output appears exactly once, under its own name, from its own run.
        expect(Object.keys(state.vars).sort()).toEqual([...steps].sort());
        for (const step of steps) {
          const output = state.vars[step] as { node: string; key: string };
          expect(output.node).toBe(step);
          expect(output.key.startsWith(`${runId}:${step}:1:`)).toBe(true);
        }
      }
      const perStep = await pool.query(
        `SELECT count(*) FILTER (WHERE status = 'completed') AS completed, max(commits) AS commits
         FROM steps WHERE run_id = ANY($1::text[]) GROUP BY run_id, node_id`,
        [runIds],
      );
      expect(perStep.rows).toHaveLength(RUNS * steps.length);
      expect(perStep.rows.every((r) => Number(r.completed) === 1 && Number(r.commits) === 1)).toBe(true);
      const events = await pool.query(
        `SELECT count(*) AS n FROM run_events WHERE run_id = ANY($1::text[]) AND type = 'step.completed'`,
        [runIds],
      );
      expect(Number(events.rows[0].n)).toBe(RUNS * steps.length);
      const byWorker = await pool.query('SELECT count(DISTINCT worker) AS workers FROM steps WHERE run_id = ANY($1::text[])', [
        runIds,
      ]);

      const executions = cluster.executions();
      const unique = new Set(executions).size;
      console.log(
        `[chaos] ${kills} kills, ${RUNS} runs × ${steps.length} steps: ${executions.length} executions for ${unique} steps ` +
          `(${executions.length - unique} re-executed after kills), committed by ${byWorker.rows[0].workers} workers`,
      );
      expect(kills).toBeGreaterThanOrEqual(20);
      expect(unique).toBe(RUNS * steps.length);
    } finally {
      await cluster.close();
    }
  }, 300_000);
});
