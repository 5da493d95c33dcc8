/**
 * Runloom on PostgreSQL (issue: scale-out): steps/s of the 10-step sequential flow run 1,000
 * times one after another, and of 1,000 runs in flight at once — on one worker that starts and
 * drives its own runs, and on 1 and 4 worker processes fed by a client over Redis — next to the
 * raw floor of the same database: single-row INSERTs, one transaction each.
 *
 *   node dist/bench/postgres.bench.js [--quick] [--reps N] [--no-write]
 *
 * RUNLOOM_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test) and
 * RUNLOOM_BENCH_REDIS_URL (default redis://127.0.0.1:6379). Each row runs on a fresh schema,
 * dropped afterwards. Every row checks its work in the database: each run completed and each
 * of its steps has its row.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createRunloom, type Runloom } from '../src/runloom.js';
import { median } from './lib/report.js';
import { noopAction, runWorkload, SEQ_FLOW_ID, SEQ_STEPS, StepCounter, sequentialFlow } from './lib/workloads.js';

const PG = process.env.RUNLOOM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.RUNLOOM_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const WORKER = join(HERE, 'lib/pg-worker.js');
const REPORT = join(HERE.includes('/dist/bench') ? join(HERE, '../../bench') : HERE, 'LAST_RUN_POSTGRES.md');

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const repsArg = argv.find((_, i) => argv[i - 1] === '--reps');
const reps = repsArg ? Number(repsArg) : quick ? 1 : 3;
const write = !argv.includes('--no-write') && !quick;
const RUNS = quick ? 100 : 1_000;
const FLOOR_ROWS = quick ? 300 : 3_000;

interface Row {
  readonly label: string;
  readonly units: string;
  readonly rates: number[];
  readonly note?: string;
  error?: string;
}

const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

/** A fresh schema for one row: its URL, and how to drop it. */
async function freshSchema(admin: pg.Client): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `runloom_bench_${randomBytes(5).toString('hex')}`;
  return {
    url: `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/** Plain single-row INSERTs, each its own transaction (autocommit), one connection: the physical floor. */
async function rawFloor(admin: pg.Client): Promise<number> {
  const table = `runloom_floor_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, state JSONB NOT NULL)`);
  try {
    const started = process.hrtime.bigint();
    for (let i = 0; i < FLOOR_ROWS; i++) {
      await admin.query({
        name: `floor-${table}`,
        text: `INSERT INTO ${table} (id, state) VALUES ($1, $2)`,
        values: [i, '{"n":1}'],
      });
    }
    return FLOOR_ROWS / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await admin.query(`DROP TABLE ${table}`);
  }
}

/** The run counts and step rows the database holds: the check that the work was done. */
async function verify(admin: pg.Client, url: string, runs: number): Promise<void> {
  const schema = new URL(url).searchParams.get('schema');
  const { rows } = await admin.query(
    `SELECT (SELECT count(*) FROM ${schema}.runs WHERE status = 'completed') AS completed,
            (SELECT count(*) FROM ${schema}.runs) AS runs,
            (SELECT count(*) FROM ${schema}.steps WHERE status = 'completed') AS steps`,
  );
  const { completed, runs: all, steps } = rows[0] as { completed: string; runs: string; steps: string };
  if (Number(completed) !== Number(all) || Number(steps) !== Number(all) * SEQ_STEPS || Number(all) < runs) {
    throw new Error(
      `expected ${runs}+ completed runs with ${SEQ_STEPS} steps each, found ${completed}/${all} runs, ${steps} steps`,
    );
  }
}

/** One process that starts its own runs and drives them (a worker: it holds what it starts). */
async function inProcess(admin: pg.Client, workload: 'W1' | 'W3'): Promise<number[]> {
  const rates: number[] = [];
  const { url, drop } = await freshSchema(admin);
  const counter = new StepCounter();
  const runloom = await createRunloom({ store: url, actions: [noopAction(counter)], worker: { capacity: 5_000 } });
  try {
    await runloom.flows.publish(sequentialFlow());
    await runWorkload(runloom, counter, workload, Math.max(10, RUNS / 10));
    for (let rep = 0; rep < reps; rep++) {
      progress(`postgres in-process ${workload} rep ${rep + 1}/${reps}`);
      const m = await runWorkload(runloom, counter, workload, RUNS);
      rates.push(m.steps / m.seconds);
    }
    await verify(admin, url, RUNS * reps);
  } finally {
    await runloom.close();
    await drop();
  }
  return rates;
}

interface WorkerProcess {
  stop(): Promise<void>;
}

function startWorker(storeUrl: string, busUrl: string, id: string): Promise<WorkerProcess> {
  const child = fork(WORKER, [storeUrl, busUrl, id], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () =>
      resolve({
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.send('stop');
          }),
      }),
    );
    child.once('exit', (code) => reject(new Error(`worker ${id} exited (${code}) before it was ready`)));
  });
}

/** A client queues RUNS runs at once; `workers` processes claim and drive them. Timed to the last completion. */
async function queuedToWorkers(admin: pg.Client, workers: number): Promise<number[]> {
  const rates: number[] = [];
  const { url, drop } = await freshSchema(admin);
  const busUrl = `${REDIS}?prefix=runloom-bench-${randomBytes(4).toString('hex')}`;
  const client: Runloom = await createRunloom({
    store: url,
    bus: busUrl,
    actions: [noopAction(new StepCounter())],
    execute: false,
  });
  const schema = new URL(url).searchParams.get('schema');
  let pool: WorkerProcess[] = [];
  try {
    await client.flows.publish(sequentialFlow());
    pool = await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(url, busUrl, `bench-w${i + 1}`)));
    let total = 0;
    const batch = async (runs: number) => {
      const started = process.hrtime.bigint();
      await Promise.all(Array.from({ length: runs }, () => client.runs.start(SEQ_FLOW_ID, {})));
      total += runs;
      for (;;) {
        const { rows } = await admin.query(`SELECT count(*) AS n FROM ${schema}.runs WHERE status = 'completed'`);
        if (Number(rows[0].n) >= total) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return (runs * SEQ_STEPS) / (Number(process.hrtime.bigint() - started) / 1e9);
    };
    await batch(Math.max(10, RUNS / 10));
    for (let rep = 0; rep < reps; rep++) {
      progress(`postgres W3 with ${workers} worker process${workers > 1 ? 'es' : ''} rep ${rep + 1}/${reps}`);
      rates.push(await batch(RUNS));
    }
    await verify(admin, url, total);
  } finally {
    await Promise.all(pool.map((w) => w.stop()));
    await client.close();
    await drop();
  }
  return rates;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  const rows: Row[] = [];
  const measure = async (label: string, units: string, run: () => Promise<number[]>, note?: string) => {
    const row: Row = { label, units, rates: [], ...(note ? { note } : {}) };
    rows.push(row);
    try {
      row.rates.push(...(await run()));
    } catch (error) {
      row.error = error instanceof Error ? error.message : String(error);
    }
  };
  try {
    await measure('raw floor: single-row INSERT, one transaction each', 'rows/s', async () => {
      const rates: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        progress(`postgres raw floor rep ${rep + 1}/${reps}`);
        rates.push(await rawFloor(admin));
      }
      return rates;
    });
    await measure(`W1 ${SEQ_STEPS}-step sequential ×${RUNS}, 1 worker (in-process)`, 'steps/s', () => inProcess(admin, 'W1'));
    await measure(`W3 ${RUNS} concurrent runs, 1 worker (in-process)`, 'steps/s', () => inProcess(admin, 'W3'));
    await measure(`W3 ${RUNS} concurrent runs, client + 1 worker process`, 'steps/s', () => queuedToWorkers(admin, 1));
    await measure(`W3 ${RUNS} concurrent runs, client + 4 worker processes`, 'steps/s', () => queuedToWorkers(admin, 4));
  } finally {
    await admin.end();
  }

  const floor = rows[0].rates.length > 0 ? median(rows[0].rates) : undefined;
  const lines = [
    '| PostgreSQL | rate (median) | min–max | × raw floor |',
    '| --- | --: | --: | --: |',
    ...rows.map((row) => {
      if (row.error || row.rates.length === 0) return `| ${row.label} | error: ${row.error ?? 'no result'} | | |`;
      const m = median(row.rates);
      const ratio = floor && row.units === 'steps/s' ? `${(m / floor).toFixed(2)}×` : '';
      return `| ${row.label} | ${int(m)} ${row.units} | ${int(Math.min(...row.rates))}–${int(Math.max(...row.rates))} | ${ratio} |`;
    }),
  ];
  const header = [
    `PostgreSQL rows (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${reps} rep${reps > 1 ? 's' : ''}${quick ? ', --quick' : ''}).`,
    'Target (issue 3): ≥ 4,000 steps/s with 1,000 concurrent runs on one worker, more with 4.',
    '',
  ];
  process.stdout.write(`\n${[...header, ...lines].join('\n')}\n`);
  if (write) writeFileSync(REPORT, `# PostgreSQL benchmark, last full run\n\n${[...header, ...lines].join('\n')}\n`);
  if (rows.some((row) => row.error)) process.exitCode = 1;
}

await main();
