/**
 * Swarms (issue 17): how fast a change of a swarm reaches a subscriber in ANOTHER process through
 * Redis (patch in process A, delivery in process B: p50/p99 over ≥ 10,000 changes, from the
 * moment A's patch has committed to the moment B's callback has it; target p99 < 10 ms), and patches/s on SQLite and PostgreSQL next to the floor of the same run: Redis round
 * trips/s (one PUBLISH answered, one after another) — a patch cannot beat one round trip.
 *
 *   node dist/bench/swarm.bench.js [--quick] [--no-write]
 *
 * RUNLOOM_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test) and
 * RUNLOOM_BENCH_REDIS_URL (default redis://127.0.0.1:6379). PostgreSQL rows use a fresh schema,
 * dropped afterwards; SQLite a temporary file.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createRunloom } from '../src/runloom.js';

const PG = process.env.RUNLOOM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.RUNLOOM_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const SUBSCRIBER = join(HERE, 'lib/swarm-subscriber.js');
const REPORT = join(HERE.includes('/dist/bench') ? join(HERE, '../../bench') : HERE, 'LAST_RUN_SWARM.md');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const write = !argv.includes('--no-write') && !quick;
const CHANGES = quick ? 2_000 : 10_000;
const PATCHES = quick ? 1_000 : 5_000;
const SWARM_FILE = 'name: bench\ngoal: measure\nbudget: 1000\n';
const clock = () => performance.timeOrigin + performance.now();
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

async function crossProcessLatency(storeUrl: string) {
  const busUrl = REDIS;
  const runloom = await createRunloom({ store: storeUrl, bus: busUrl, recover: false });
  try {
    const swarm = await runloom.swarms.start(SWARM_FILE);
    const child = fork(SUBSCRIBER, [storeUrl, busUrl, swarm.id, String(CHANGES)]);
    const result = new Promise<[number, number][]>((resolve, reject) => {
      child.on('message', (m: unknown) => {
        if (typeof m === 'object' && m && 'arrivals' in m) resolve((m as { arrivals: [number, number][] }).arrivals);
      });
      child.on('exit', (code) => reject(new Error(`subscriber exited ${code}`)));
    });
    await new Promise<void>((resolve) => child.on('message', (m) => m === 'ready' && resolve()));
    const started = clock();
    const committedAt = new Map<number, number>();
    for (let i = 0; i < CHANGES; i++) {
      const { version } = await runloom.swarms.patch(swarm.id, [{ op: 'set', path: 'blackboard.i', value: i }], { author: 'A' });
      committedAt.set(version, clock());
      // SQLite commits synchronously: a loop of patches that never yields starves the Redis
      // client's socket writes, and the publishes leave in one burst at the end. A producer
      // yields between patches as the runtime does between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (clock() - started) / 1000;
    // A publishes right after its commit, before its patch call returns: a change may arrive
    // in B before A notes the return, which counts as 0.
    const latencies = (await result)
      .map(([version, at]) => Math.max(0, at - (committedAt.get(version) as number)))
      .sort((a, b) => a - b);
    return {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) as number,
      n: latencies.length,
      rate: CHANGES / seconds,
    };
  } finally {
    await runloom.close();
  }
}

async function patchesPerSecond(storeUrl: string, writers: number) {
  const runloom = await createRunloom({ store: storeUrl, bus: REDIS, recover: false });
  try {
    const swarm = await runloom.swarms.start(SWARM_FILE);
    const started = clock();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < PATCHES / writers; i++) {
          await runloom.swarms.patch(swarm.id, [{ op: 'increment', path: `blackboard.w${w}` }], { author: `w${w}` });
        }
      }),
    );
    const rate = PATCHES / ((clock() - started) / 1000);
    const view = await runloom.swarms.get(swarm.id);
    if (view.version !== PATCHES + 1) throw new Error(`expected version ${PATCHES + 1}, got ${view.version}`);
    return rate;
  } finally {
    await runloom.close();
  }
}

async function redisRoundTrips(): Promise<number> {
  const redis = new Redis(REDIS);
  try {
    const n = PATCHES;
    const started = clock();
    for (let i = 0; i < n; i++) await redis.publish('runloom-bench-floor', 'x');
    return n / ((clock() - started) / 1000);
  } finally {
    redis.disconnect();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'runloom-swarm-bench-'));
const schema = `runloom_swarmbench_${randomBytes(4).toString('hex')}`;
const pgUrl = `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
try {
  const sqlite = join(dir, 'swarm.db');
  const floor = await redisRoundTrips();
  say(`# Swarm bench (${new Date().toISOString()}${quick ? ', quick' : ''})`);
  say('');
  say(`floor: Redis round trips (PUBLISH, sequential): ${floor.toFixed(0)}/s`);
  for (const [name, url] of [
    ['SQLite', sqlite],
    ['PostgreSQL', pgUrl],
  ] as const) {
    const latency = await crossProcessLatency(url);
    say(
      `${name}: cross-process subscription latency over ${latency.n} changes (A patches, B hears through Redis): ` +
        `p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(1)} ms ` +
        `(target p99 < 10 ms: ${latency.p99 < 10 ? 'met' : 'NOT met'}); A patched at ${latency.rate.toFixed(0)}/s`,
    );
    for (const writers of [1, 4]) {
      const rate = await patchesPerSecond(url, writers);
      say(
        `${name}: ${writers} writer(s), ${PATCHES} patches: ${rate.toFixed(0)} patches/s = ${(rate / floor).toFixed(2)} × the Redis round-trip floor`,
      );
    }
  }
  if (write) writeFileSync(REPORT, `${lines.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
