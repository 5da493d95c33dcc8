/**
 * Runs nobody continues (issue 12, items 2 and 3), with real `runloom` processes on one SQLite
 * file, killed with SIGKILL or stopped with SIGTERM, and a loopback HTTP server counting the
 * calls it receives per Idempotency-Key:
 *
 * - a `run` of another flow never picks up a crashed run (it used to, repeating its HTTP call,
 *   and dropped it mid-step when it exited);
 * - `runs resume` takes a crashed run over once its lease runs out, repeats its call once, and
 *   finishes it without charging the downtime against maxTime (it used to fail max_time);
 * - a run killed while its timer waited is finished by `runs resume` (it used to hang);
 * - two processes on one file never execute one run at once: two `runs resume` of one run
 *   make one call between them, and both end;
 * - SIGTERM hands the run back and says how it continues; `runs resume` goes on at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliResult, cleanEnv, cli, runIdOf, shown, tempDir, withStore, writeFile } from './helpers.js';

const tmp = tempDir();
let server: Server;
let base: string;
/** Calls received per Idempotency-Key. */
const calls = new Map<string, number>();
const callsTo = (prefix: string) => [...calls].filter(([key]) => key.startsWith(prefix)).map(([, n]) => n);

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = String(req.headers['idempotency-key']);
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    // Only the first call of a key is slow (the one a test kills the process during): a repeat
    // after a takeover answers at once.
    const ms = n === 1 ? Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0) : 0;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ key }));
    }, ms);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

/** A flow: one HTTP call answered after `ms`, then (optionally) a timer, under maxTime. */
function flow(id: string, ms: number, extra: { timer?: string; maxTime?: string } = {}): string {
  const timer = extra.timer ? `  - { id: nap, type: timer, duration: ${extra.timer} }\n` : '';
  const edges = extra.timer
    ? '  - { from: start, to: call }\n  - { from: call, to: nap }\n  - { from: nap, to: end }\n'
    : '  - { from: start, to: call }\n  - { from: call, to: end }\n';
  return writeFile(
    tmp.path(`${id}.yaml`),
    `format: runloom/v1
id: ${id}
defaults:
  limits: { maxTime: ${extra.maxTime ?? '1m'} }
nodes:
  - { id: start, type: start }
  - { id: call, type: task, action: http.request, input: { url: "${base}/call?ms=${ms}" }, output: answer }
${timer}  - { id: end, type: end }
edges:
${edges}`,
  );
}

/** The id of the run of `flowId` in the store, once there is one. */
async function runOf(db: string, flowId: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const [run] = await withStore(db, (r) => r.runs.list({ flowId }));
    if (run) return run.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no run of ${flowId} in ${db}`);
}

/** `runloom run` of flow `flowId` in the background, and its run id once it is in the store. */
function start(
  db: string,
  flowId: string,
  file: string,
): { child: ChildProcess; runId: Promise<string>; done: Promise<CliResult> } {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, '--store', db, 'run', file], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const runId = runOf(db, flowId);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  return { child, runId, done };
}

const until = async (what: string, check: () => boolean, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('runs nobody continues (SQLite, real processes)', () => {
  it('after kill -9: another flow’s `run` leaves the run alone; `runs resume` repeats its call once and finishes it, downtime not charged', {
    timeout: 90_000,
  }, async () => {
    const db = tmp.path('crash.db');
    const long = start(db, 'long', flow('long', 20_000, { maxTime: '6s' }));
    const runId = await long.runId;
    await until('the call', () => callsTo(runId).length === 1);
    long.child.kill('SIGKILL');
    await long.done;
    const killedAt = Date.now();

    // Another flow in the same place: completes its own run, never touches the crashed one.
    const other = await cli(['--store', db, 'run', flow('quick', 0)]);
    expect(other.code, shown(other)).toBe(0);
    expect(callsTo(runId)).toEqual([1]);
    const log = await withStore(db, (r) => r.runs.events(runId));
    expect(log.at(-1)?.type, JSON.stringify(log.map((e) => [e.type, e.at - killedAt]))).toBe('step.started');

    // Downtime beyond maxTime: 6 s, and the run had used ~1 s of it when it was killed.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 6_500 - (Date.now() - killedAt))));
    const resumed = await cli(['--store', db, 'runs', 'resume', runId], { timeoutMs: 30_000 });
    expect(resumed.code, shown(resumed)).toBe(0);
    expect(resumed.stdout).toContain(`run ${runId}: completed`);
    expect(callsTo(runId)).toEqual([2]); // the call in flight at the kill, made again once
    const view = await withStore(db, (r) => r.runs.get(runId));
    expect(view.status).toBe('completed');
    expect(view.usage.activeMs).toBeLessThan(6_000);
  });

  it('a run killed while its timer waited: `runs resume` fires the overdue timer and finishes it', {
    timeout: 60_000,
  }, async () => {
    const db = tmp.path('timer.db');
    const napping = start(db, 'napping', flow('napping', 0, { timer: '1s' }));
    const runId = await napping.runId;
    await until('the call', () => callsTo(runId).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    napping.child.kill('SIGKILL');
    await napping.done;
    expect((await withStore(db, (r) => r.runs.get(runId))).reason).toBe('waiting_for_timer');
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the timer is overdue now

    const resumed = await cli(['--store', db, 'runs', 'resume', runId], { timeoutMs: 20_000 });
    expect(resumed.code, shown(resumed)).toBe(0);
    expect(resumed.stdout).toContain(`run ${runId}: completed`);
    expect(callsTo(runId)).toEqual([1]);
  });

  it('two `runs resume` of one crashed run at once: one call between them, and both end', { timeout: 60_000 }, async () => {
    const db = tmp.path('twice.db');
    const first = start(db, 'twice', flow('twice', 20_000));
    const runId = await first.runId;
    await until('the call', () => callsTo(runId).length === 1);
    first.child.kill('SIGKILL');
    await first.done;

    const [a, b] = await Promise.all([
      cli(['--store', db, 'runs', 'resume', runId], { timeoutMs: 30_000 }),
      cli(['--store', db, 'runs', 'resume', runId], { timeoutMs: 30_000 }),
    ]);
    // Each ends: it drove the run to completion, or (started later) found it completed by the
    // other and says so; at least one drove it.
    for (const result of [a, b]) {
      if (result.code !== 0) {
        expect(result.code, shown(result)).toBe(2);
        expect(result.stderr).toContain(`cannot resume: run ${runId} is completed`);
      }
    }
    expect([a.code, b.code]).toContain(0);
    expect(callsTo(runId)).toEqual([2]);
  });

  it('two `run`s on one file 2.5 s apart: each drives its own run only, each call made once', { timeout: 60_000 }, async () => {
    const db = tmp.path('two.db');
    const a = start(db, 'slow-a', flow('slow-a', 5_000));
    const aId = await a.runId;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const b = await cli(['--store', db, 'run', flow('quick-b', 0)]);
    expect(b.code, shown(b)).toBe(0);
    const aDone = await a.done;
    expect(aDone.code, shown(aDone)).toBe(0);
    expect(callsTo(aId)).toEqual([1]);
    expect(callsTo(runIdOf(b.stdout))).toEqual([1]);
  });

  it('SIGTERM hands the run back and says how it continues; `runs resume` goes on at once', { timeout: 60_000 }, async () => {
    const db = tmp.path('term.db');
    const run = start(db, 'term', flow('term', 20_000));
    const runId = await run.runId;
    await until('the call', () => callsTo(runId).length === 1);
    run.child.kill('SIGTERM');
    const stopped = await run.done;
    expect(stopped.code, shown(stopped)).toBe(143);
    expect(stopped.stderr).toContain(`runloom runs resume ${runId}`);
    expect(stopped.stderr).not.toMatch(/^ {4}at /m);

    // Handed back, not abandoned: its lease is free now (no 5 s to wait out), its holder kept
    // as the previous one, so the next claim is a takeover.
    const lease = new Database(db, { readonly: true });
    const row = lease.prepare('SELECT lease_owner, lease_until FROM runs WHERE id = ?').get(runId) as {
      lease_owner: string | null;
      lease_until: number;
    };
    lease.close();
    expect(row.lease_owner).not.toBeNull();
    expect(row.lease_until).toBeLessThan(Date.now());

    const resumed = await cli(['--store', db, 'runs', 'resume', runId], { timeoutMs: 20_000 });
    expect(resumed.code, shown(resumed)).toBe(0);
    const events = await withStore(db, (r) => r.runs.events(runId));
    expect(events.some((e) => e.type === 'run.recovered')).toBe(true);
    expect(callsTo(runId)).toEqual([2]);
  });
});
