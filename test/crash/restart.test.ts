/**
 * F2.9: durable timers and waits survive kill -9. A run parked on a 2 s timer is killed, a new
 * process recovers it, the timer fires once there; the signal that follows may come from a fresh
 * process or through the recovered one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/types.js';
import { RpcChild, sleep } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-restart-'));
let n = 0;
const children: RpcChild[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker on `dbPath`, ready to take commands. */
async function worker(dbPath: string, ...flags: string[]): Promise<RpcChild> {
  const child = new RpcChild('rpc-worker.ts', [dbPath, ...flags]);
  children.push(child);
  await child.line('ready');
  return child;
}

type Reply = { status: string; reason: string; vars: Record<string, unknown> };
const events = async (child: RpcChild, runId: string) =>
  (await child.call<{ events: RunEvent[] }>({ cmd: 'events', runId })).events;
const ofType = (log: readonly RunEvent[], type: string) => log.filter((e) => e.type === type);

function expectWholeLog(log: readonly RunEvent[]): void {
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
}

describe('restart', () => {
  it('a pending timer survives kill -9, fires once after the restart, and a fresh process signals the wait after it', {
    timeout: 60_000,
  }, async () => {
    const db = join(dir, `timer-${++n}.db`);
    const first = await worker(db);
    const { runId } = await first.call<{ runId: string; reason: string }>({ cmd: 'start', flow: 'nap' });
    await sleep(300);
    await first.kill();
    const killedAt = Date.now();

    const second = await worker(db);
    const parked = await second.call<Reply>({ cmd: 'wait', runId, reason: 'waiting_for_signal' }, 20_000);
    expect(parked).toMatchObject({ status: 'waiting', reason: 'waiting_for_signal' });
    const afterTimer = await events(second, runId);
    const [started] = ofType(afterTimer, 'timer.started');
    const fired = ofType(afterTimer, 'timer.fired');
    expect(fired).toHaveLength(1);
    const fireAt = (started.data as { fireAt: number }).fireAt;
    expect(fireAt - started.at).toBe(2_000);
    expect(fired[0].at).toBeGreaterThanOrEqual(fireAt);
    expect(fired[0].at).toBeGreaterThan(killedAt); // it fired in the recovered process

    // Nothing fires a second time, here or after another crash while the run waits for its signal.
    await sleep(300);
    await second.kill();
    const third = await worker(db, '--no-recover');
    await third.call({ cmd: 'signal', runId, name: 'go', payload: { word: 'fresh' } });
    const done = await third.call<Reply>({ cmd: 'wait', runId });
    expect(done).toMatchObject({ status: 'completed', vars: { gate: { word: 'fresh' } } });

    const log = await events(third, runId);
    expectWholeLog(log);
    expect(ofType(log, 'timer.started')).toHaveLength(1);
    expect(ofType(log, 'timer.fired')).toHaveLength(1);
    expect(ofType(log, 'signal.received')).toHaveLength(1);
    expect(ofType(log, 'run.completed')).toHaveLength(1);
    await third.call({ cmd: 'exit' });
    expect((await third.exited).code).toBe(0);
  });

  it('a timer that fell due while the process was down fires once at recovery', { timeout: 60_000 }, async () => {
    const db = join(dir, `overdue-${++n}.db`);
    const first = await worker(db);
    const { runId } = await first.call<{ runId: string }>({ cmd: 'start', flow: 'nap' });
    const startedAt = Date.now();
    await first.kill();
    await sleep(Math.max(0, startedAt + 2_300 - Date.now()));

    const restartedAt = Date.now();
    const second = await worker(db);
    const parked = await second.call<Reply>({ cmd: 'wait', runId, reason: 'waiting_for_signal' }, 20_000);
    expect(parked.status).toBe('waiting');
    await second.call({ cmd: 'signal', runId, name: 'go', payload: { word: 'late' } });
    expect(await second.call<Reply>({ cmd: 'wait', runId })).toMatchObject({
      status: 'completed',
      vars: { gate: { word: 'late' } },
    });

    const log = await events(second, runId);
    expectWholeLog(log);
    const fired = ofType(log, 'timer.fired');
    expect(fired).toHaveLength(1);
    expect(fired[0].at).toBeGreaterThanOrEqual(restartedAt);
  });

  it('a run waiting for a signal survives kill -9 and completes after a signal sent to the recovered process', {
    timeout: 60_000,
  }, async () => {
    const db = join(dir, `signal-${++n}.db`);
    const first = await worker(db);
    const { runId } = await first.call<{ runId: string }>({ cmd: 'start', flow: 'gate' });
    expect(await first.call<Reply>({ cmd: 'wait', runId, reason: 'waiting_for_signal' })).toMatchObject({ status: 'waiting' });
    await first.kill();

    const second = await worker(db);
    const reply = await second.call<Reply>({ cmd: 'signal', runId, name: 'go', payload: { word: 'again' } });
    expect(['running', 'completed']).toContain(reply.status);
    const done = await second.call<Reply>({ cmd: 'wait', runId });
    expect(done).toMatchObject({
      status: 'completed',
      vars: { gate: { word: 'again' }, after: { text: 'again', pid: second.process.pid } },
    });

    const log = await events(second, runId);
    expectWholeLog(log);
    expect(ofType(log, 'wait.started')).toHaveLength(1);
    expect(ofType(log, 'signal.received')).toHaveLength(1);
    expect(ofType(log, 'step.completed').map((e) => e.nodeId)).toEqual(['after']);
  });
});
