/**
 * Many workers in real processes over the real PostgreSQL and Redis (issue: scale-out): a run
 * started by a client is executed by a worker and followed live from another process; a timer
 * whose worker died fires exactly once elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../src/engine/types.js';
import { createRunloom } from '../../src/runloom.js';
import type { Store } from '../../src/store/store.js';
import { parkedTimerFlow, sequentialFlow, timerRaceFlow } from './flows.js';
import { type Cluster, canRun, kill, openCluster, skipped, sleep } from './support.js';

const describeCluster = canRun ? describe : describe.skip;

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function waitUntilFinished(store: Store, runIds: readonly string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(runIds.map((id) => store.loadRun(id)));
    if (states.every((s) => s && TERMINAL_STATUSES.has(s.status))) return;
    if (Date.now() > until) throw new Error(`runs not finished after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describeCluster(`workers in separate processes${skipped}`, () => {
  it('executes a run a client queued, and the client follows its live events through Redis without gaps', async () => {
    cluster = await openCluster();
    await cluster.startWorker('A');
    const client = await cluster.client();
    // Count how often the client reads events from the store: once for the history, then
    // everything must arrive through the bus.
    let reads = 0;
    const store = client.store;
    const readEvents = store.readEvents.bind(store);
    (store as { readEvents: Store['readEvents'] }).readEvents = (...args) => {
      reads++;
      return readEvents(...args);
    };
    await client.flows.publish(sequentialFlow('seq30', 30, 5, 15));
    const run = await client.runs.start('seq30', {});
    const seqs: number[] = [];
    const types: string[] = [];
    for await (const event of client.runs.follow(run.id)) {
      seqs.push(event.seq);
      types.push(event.type);
    }
    expect(types.at(-1)).toBe('run.completed');
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(60);
    expect(reads).toBe(1);
    const logged = await store.readEvents(run.id);
    expect(logged.map((e) => e.seq)).toEqual(seqs);
    const steps = await client.runs.steps(run.id);
    expect(steps).toHaveLength(30);
    const pool = (store as unknown as { pool: import('pg').Pool }).pool;
    const workers = await pool.query('SELECT DISTINCT worker FROM steps WHERE run_id = $1', [run.id]);
    expect(workers.rows).toEqual([{ worker: 'A' }]);
  }, 60_000);

  it('fires a timer exactly once on another worker after the worker holding it is killed', async () => {
    cluster = await openCluster(1_000);
    const first = await cluster.startWorker('A');
    const client = await cluster.client();
    await client.flows.publish(timerRaceFlow('race'));
    await client.flows.publish(parkedTimerFlow('parked'));
    const held = await client.runs.start('race', {});
    const parked = await client.runs.start('parked', {});
    // A holds `held` (its slow step in flight, its timer armed); `parked` waits on its timer, held by no one.
    await client.runs.wait(parked.id, (s) => s.reason === 'waiting_for_timer');
    const pool = (client.store as unknown as { pool: import('pg').Pool }).pool;
    const owner = await pool.query('SELECT lease_owner FROM runs WHERE id = $1', [held.id]);
    expect(owner.rows[0].lease_owner).toBe('A');
    const startedAt = Date.now();
    await kill(first);
    await Promise.all([cluster.startWorker('B'), cluster.startWorker('C')]);
    await waitUntilFinished(client.store, [held.id, parked.id], 30_000);

    for (const runId of [held.id, parked.id]) {
      const state = await client.runs.get(runId);
      expect(state.status).toBe('completed');
      const events = await client.runs.events(runId);
      expect(events.filter((e) => e.type === 'timer.fired')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'step.completed' && e.nodeId === 'afterTimer')).toHaveLength(1);
      const after = await pool.query("SELECT worker, commits FROM steps WHERE run_id = $1 AND node_id = 'afterTimer'", [runId]);
      expect(after.rows).toHaveLength(1);
      expect(['B', 'C']).toContain(after.rows[0].worker);
      expect(after.rows[0].commits).toBe(1);
    }
    // The timer step ran once, and not before its time; the slow step A died in ran again.
    const executions = cluster.executions();
    expect(executions.filter((key) => key.startsWith(`${held.id}:afterTimer:`))).toHaveLength(1);
    expect(executions.filter((key) => key.startsWith(`${parked.id}:afterTimer:`))).toHaveLength(1);
    expect(executions.filter((key) => key.startsWith(`${held.id}:slow:`))).toHaveLength(2);
    expect(Date.now() - startedAt).toBeGreaterThan(900);
  }, 60_000);

  it('runs each step only on workers that have its action, whichever worker holds the run', async () => {
    cluster = await openCluster();
    await Promise.all([cluster.startWorker('plain', ['work']), cluster.startWorker('special', ['special'])]);
    const client = await cluster.client();
    const step = (id: string, action: string) => ({ id, type: 'task', action, input: { node: id }, output: id });
    await client.flows.publish({
      format: 'runloom/v1',
      id: 'mixed',
      nodes: [
        { id: 'start', type: 'start' },
        step('w1', 'test.work'),
        step('s1', 'test.special'),
        step('w2', 'test.work'),
        step('s2', 'test.special'),
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'w1' },
        { from: 'w1', to: 's1' },
        { from: 's1', to: 'w2' },
        { from: 'w2', to: 's2' },
        { from: 's2', to: 'end' },
      ],
    });
    const runs = await Promise.all(Array.from({ length: 20 }, () => client.runs.start('mixed', {})));
    const done = await Promise.all(runs.map((run) => client.runs.wait(run.id)));
    expect(done.map((run) => run.status)).toEqual(runs.map(() => 'completed'));
    for (const run of done) expect(run.vars).toMatchObject({ s1: { special: true }, s2: { special: true } });
    const ranOn = (file: string) =>
      readFileSync(join(cluster?.dir as string, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((key) => key.split(':')[1]);
    // Each worker's log holds only the steps of its own action, and every step ran.
    expect(new Set(ranOn('plain.exec'))).toEqual(new Set(['w1', 'w2']));
    expect(new Set(ranOn('special.exec'))).toEqual(new Set(['s1', 's2']));
    expect(ranOn('plain.exec')).toHaveLength(40);
    expect(ranOn('special.exec')).toHaveLength(40);
  }, 60_000);

  it('the CLI queues a run for the workers, and answers it from other processes until it completes', async () => {
    cluster = await openCluster();
    await cluster.startWorker('A');
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['bin/runloom.mjs', '--store', cluster?.storeUrl as string, '--bus', cluster?.busUrl as string, ...args],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
    const queued = cli('run', '--queue', 'examples/approval-signal.yaml', '--json', '-i', 'employee=Ada', '-i', 'amount=80');
    expect(queued.status, queued.stderr).toBe(3);
    const summary = JSON.parse(queued.stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ type: 'run.summary', run: { status: 'waiting' } });
    const runId = summary.run.id as string;
    const signalled = cli('runs', 'signal', runId, 'approval', '--data', '{"approved":true,"by":"Grace"}', '--json');
    expect(signalled.status, signalled.stderr).toBe(3);
    const decided = cli('runs', 'decide', runId, 'payout', 'bankTransfer', '--json');
    expect(decided.status, decided.stderr).toBe(0);
    const client = await cluster.client();
    const done = await client.runs.get(runId);
    expect(done.status).toBe('completed');
    expect(done.output).toMatchObject({ employee: 'Ada', amount: 80, approvedBy: 'Grace', method: 'bank transfer' });
    // The queued part ran on the worker; what each answer set off ran in the process that sent it.
    const pool = (client.store as unknown as { pool: import('pg').Pool }).pool;
    const { rows } = await pool.query('SELECT node_id, worker FROM steps WHERE run_id = $1 ORDER BY seq', [runId]);
    expect(rows[0]).toEqual({ node_id: 'submit', worker: 'A' });
    expect(new Set(rows.map((r) => r.worker)).size).toBeGreaterThan(1);
  }, 90_000);

  it('refuses `runloom worker` and `run --queue` on the memory store, exit 2, naming what is needed', () => {
    for (const args of [['worker'], ['run', '--queue', 'examples/timer-cooldown.yaml']]) {
      const result = spawnSync(process.execPath, ['bin/runloom.mjs', '--store', 'memory:', ...args], { encoding: 'utf8' });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/needs a store that several processes share \(a SQLite file or postgres:\/\/…\)/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('worker options', () => {
  it('refuses a worker that would not execute steps, before opening anything', async () => {
    await expect(createRunloom({ store: 'memory:', worker: true, execute: false })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});
