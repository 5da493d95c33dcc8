/**
 * Redis unreachable or lost (issue 12, item 15), on the real Redis behind a loopback TCP proxy
 * that the test can cut: an unreachable bus is one sentence naming it (exit 2 from the CLI, no
 * stack); a connection lost at run time is logged once, retried, and loses no published event.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisBus } from '../../src/bus/index.js';
import type { RunEvent } from '../../src/engine/types.js';
import { cli, expectRefused } from '../cli/helpers.js';

const redisUrl = process.env.RUNLOOM_TEST_REDIS_URL;
const describeRedis = redisUrl ? describe : describe.skip;
const skipped = redisUrl ? '' : ' (skipped: set RUNLOOM_TEST_REDIS_URL to a Redis server to run it)';

/** A TCP proxy to Redis on 127.0.0.1 that can be cut (every connection dropped, new ones refused). */
async function proxyTo(target: URL): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const event = (seq: number): RunEvent => ({ seq, type: 'step.completed', at: seq });

describe('a bus that cannot be reached', () => {
  it('refuses at start-up with one sentence naming the bus (its password hidden)', async () => {
    const bus = createRedisBus({ url: 'redis://user:secret@127.0.0.1:1' });
    closing.push(() => bus.close());
    const error = await bus.ready().then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error?.code).toBe('BUS_UNREACHABLE');
    expect(error?.message).toContain("the bus 'redis://user:***@127.0.0.1:1' cannot be reached");
    expect(error?.message).not.toContain('secret');
  });

  it('`runloom --bus redis://127.0.0.1:1 run …` exits 2 with that sentence and no stack', async () => {
    const result = await cli(['--store', 'memory:', '--bus', 'redis://127.0.0.1:1', 'run', 'examples/timer-cooldown.yaml']);
    expectRefused(result, "--bus: the bus 'redis://127.0.0.1:1' cannot be reached");
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describeRedis(`a Redis connection lost at run time${skipped}`, () => {
  it('is logged once, retried, and every event published meanwhile arrives, in order', { timeout: 30_000 }, async () => {
    const proxy = await proxyTo(new URL(redisUrl as string));
    closing.push(proxy.close);
    const prefix = `runloom-outage-${randomBytes(4).toString('hex')}`;
    const logged: string[] = [];
    const publisher = createRedisBus({ url: proxy.url, prefix, log: (message) => logged.push(message) });
    const subscriber = createRedisBus({ url: redisUrl as string, prefix });
    closing.push(
      () => publisher.close(),
      () => subscriber.close(),
    );
    await publisher.ready();
    const seen: number[] = [];
    await subscriber.subscribeRun('r', (_, events) => seen.push(...events.map((e) => e.seq)));

    for (let seq = 1; seq <= 50; seq++) publisher.publishRunEvents('r', [event(seq)]);
    while (seen.length < 50) await sleep(5);
    proxy.cut();
    // Published while Redis is out of reach, over several of the client's reconnect attempts.
    for (let seq = 51; seq <= 100; seq++) {
      publisher.publishRunEvents('r', [event(seq)]);
      await sleep(10);
    }
    await sleep(300);
    expect(seen).toHaveLength(50);
    proxy.restore();
    const until = Date.now() + 15_000;
    while (seen.length < 100 && Date.now() < until) await sleep(20);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(logged.filter((m) => m === 'bus connection lost, retrying')).toHaveLength(1);
    expect(logged.filter((m) => m === 'bus connection back')).toHaveLength(1);
  });
});
