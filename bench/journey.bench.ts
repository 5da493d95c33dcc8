/**
 * Journey rows, part of `npm run bench` (alone: `node dist/bench/journey.bench.js [seconds]` after a build).
 *
 * 1. Webhook → entity created → its first flow started: signed deliveries over HTTP on
 *    loopback (32 at a time), per second and p50/p99 from the request to the first step of the
 *    mapped flow running; beside the floor of the same run: `POST /v1/runs` of the same flow.
 *    On SQLite, and on PostgreSQL at RUNLOOM_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
 *    like the other benches; RUNLOOM_BENCH_PG_URL=off leaves those rows out.
 * 2. The board of a journey with 100,000 entities: read time (p50/p99) against a floor that
 *    counts the same rows (GROUP BY over the entities: what the counters avoid).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { z } from 'zod';
import { defineAction } from '../src/actions/action.js';
import { signHook } from '../src/journey/hooks.js';
import { createRunloom } from '../src/runloom.js';
import { startServer } from '../src/server/serve.js';
import { createPostgresStore, createSqliteStore } from '../src/store/index.js';
import type { Store } from '../src/store/store.js';

const seconds = Number(process.argv[2] ?? 5);
const SECRET = 'bench-secret-0123456789';
const pgSetting = process.env.RUNLOOM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgUrl = pgSetting === 'off' ? undefined : pgSetting;
const started = new Map<string, number>();
/** The mapped flow's first step: records when it ran, by the delivery's key. */
const mark = defineAction({
  name: 'bench.mark',
  description: 'records when the first step of a run ran',
  input: z.object({ id: z.string() }),
  run: (input) => {
    started.set(input.id, performance.now());
    return {};
  },
});
const FLOW = (id: string) => ({
  format: 'runloom/v1',
  id,
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'a', type: 'task', action: 'bench.mark', input: { id: '=input.key' } },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'a' },
    { from: 'a', to: 'end' },
  ],
});
const JOURNEY = {
  format: 'runloom/v1',
  id: 'bench',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'lead', type: 'ux' },
    { id: 'won', type: 'ux' },
  ],
  edges: [
    { from: 'start', to: 'lead' },
    { from: 'lead', to: 'won', kind: 'journey' },
  ],
};

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] : Number.NaN;
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Sends requests 32 at a time for `seconds`; `send(key)` makes one, the latency ends when `started` has the key. */
async function load(send: (key: string) => Promise<void>): Promise<{ perSecond: number; p50: number; p99: number; n: number }> {
  const sentAt = new Map<string, number>();
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (performance.now() < deadline) {
        const key = `k${n++}-${randomBytes(3).toString('hex')}`;
        sentAt.set(key, performance.now());
        await send(key);
      }
    }),
  );
  while ([...sentAt.keys()].some((k) => !started.has(k)) && performance.now() < deadline + 30_000)
    await new Promise((r) => setTimeout(r, 5));
  const ended = Math.max(...[...sentAt.keys()].map((k) => started.get(k) ?? performance.now()));
  const latencies = [...sentAt].map(([k, at]) => (started.get(k) ?? Number.POSITIVE_INFINITY) - at);
  return { perSecond: sentAt.size / ((ended - t0) / 1000), p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), n: sentAt.size };
}

async function webhookRows(name: string, store: Store): Promise<void> {
  const runloom = await createRunloom({ store, actions: [mark], journeys: { intervalMs: 20 } });
  const server = await startServer({
    runloom,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    rateLimits: { perKey: { burst: 1e9, perSecond: 1e9 }, public: { burst: 1e9, perSecond: 1e9 } },
  });
  try {
    await runloom.flows.publish(FLOW('enrich'));
    await runloom.flows.publish(JOURNEY);
    await runloom.journeys.setMappings('bench', [{ nodeId: 'lead', flowId: 'enrich', input: { key: '=entity.attributes.key' } }]);
    await runloom.journeys.putHook('bench-leads', {
      journeyId: 'bench',
      secret: SECRET,
      fields: { email: '$.email', attributes: { key: '$.key' } },
    });
    const floor = await load(async (key) => {
      const res = await fetch(`${server.url}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flowId: 'enrich', input: { key } }),
      });
      await res.arrayBuffer();
    });
    const hooks = await load(async (key) => {
      const body = JSON.stringify({ email: `${key}@bench.test`, key });
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${server.url}/v1/hooks/bench-leads`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-runloom-timestamp': String(ts),
          'x-runloom-signature': signHook(SECRET, ts, body),
        },
      });
      if (res.status !== 200) throw new Error(`hook answered ${res.status}: ${await res.text()}`);
    });
    console.log(
      `${name.padEnd(10)} webhook → entity → first flow started: ${hooks.perSecond.toFixed(0)}/s, p50 ${ms(hooks.p50)}, p99 ${ms(hooks.p99)} (${hooks.n})` +
        ` | floor POST /v1/runs → first step: ${floor.perSecond.toFixed(0)}/s, p99 ${ms(floor.p99)} | ratio ${(hooks.perSecond / floor.perSecond).toFixed(2)}×`,
    );
  } finally {
    await server.close();
    await runloom.close();
  }
}

async function boardRow(
  name: string,
  store: Store,
  fill: (rows: number) => Promise<void>,
  floor: () => Promise<unknown>,
): Promise<void> {
  const runloom = await createRunloom({ store, journeys: false });
  try {
    await runloom.flows.publish(JOURNEY);
    await fill(100_000);
    const read = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
      return times;
    };
    const board = await runloom.journeys.board('bench');
    if (board.total !== 100_000) throw new Error(`board total ${board.total}`);
    const counters = await read(() => runloom.journeys.board('bench'));
    const scan = await read(floor);
    console.log(
      `${name.padEnd(10)} board of 100,000 entities: p50 ${ms(pct(counters, 0.5))}, p99 ${ms(pct(counters, 0.99))} | floor GROUP BY scan: p50 ${ms(pct(scan, 0.5))} | ${(pct(scan, 0.5) / pct(counters, 0.5)).toFixed(0)}× faster`,
    );
  } finally {
    await runloom.close();
  }
}

/** 100,000 entities spread over the two nodes, with the counters the writes would have kept. */
const FILL_SQL = (series: string) => [
  `INSERT INTO journey_entities (workspace, id, journey_id, email, name, attributes, metadata, node_id, status, arrival_id, version, last_seq, created_at, updated_at)
   SELECT 'default', 'ent_' || n, 'bench', 'e' || n || '@bench.test', NULL, '{}', '{}', CASE WHEN n % 3 = 0 THEN 'won' ELSE 'lead' END, 'active', NULL, 1, 0, 0, 0 FROM ${series}`,
  `INSERT INTO journey_board (workspace, journey_id, node_id, status, count)
   SELECT workspace, journey_id, node_id, status, COUNT(*) FROM journey_entities WHERE journey_id = 'bench' GROUP BY workspace, journey_id, node_id, status`,
];
const SCAN =
  "SELECT node_id, status, COUNT(*) FROM journey_entities WHERE workspace = 'default' AND journey_id = 'bench' GROUP BY node_id, status";

const dir = mkdtempSync(join(tmpdir(), 'runloom-journey-bench-'));
try {
  await webhookRows('SQLite', createSqliteStore({ path: join(dir, 'hooks.db'), durability: 'normal' }));
  const sqlite = createSqliteStore({ path: join(dir, 'board.db'), durability: 'normal' });
  await boardRow(
    'SQLite',
    sqlite,
    async (rows) => {
      const series = `(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${rows}) SELECT n FROM s)`;
      sqlite.db.transaction(() => {
        for (const sql of FILL_SQL(series)) sqlite.db.exec(sql);
      })();
    },
    async () => sqlite.db.prepare(SCAN).all(),
  );
  if (pgUrl) {
    const schemas = [`runloom_jb_${randomBytes(5).toString('hex')}`, `runloom_jb_${randomBytes(5).toString('hex')}`];
    try {
      await webhookRows('PostgreSQL', createPostgresStore({ url: pgUrl, schema: schemas[0] }));
      const store = createPostgresStore({ url: pgUrl, schema: schemas[1] });
      await boardRow(
        'PostgreSQL',
        store,
        async (rows) => {
          for (const sql of FILL_SQL(`generate_series(1, ${rows}) AS n`))
            await store.pool.query(sql.replace("'{}', '{}'", "'{}'::jsonb, '{}'::jsonb"));
        },
        () => store.pool.query(SCAN),
      );
    } finally {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  } else console.log('PostgreSQL rows skipped (RUNLOOM_BENCH_PG_URL=off)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
