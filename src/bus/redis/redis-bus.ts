/**
 * The bus over Redis pub/sub (F8.4): committed run events reach followers in other processes,
 * and wake-ups reach every worker. One connection publishes (auto-pipelined: the events of one
 * group commit leave in one write), one subscribes; channels are counted so a run followed twice
 * in a process is subscribed once.
 *
 * Pub/sub keeps nothing: a process that is down misses messages. That is fine by design — events
 * are read back from the store (follow fills gaps), and workers also poll.
 */
import { Redis } from 'ioredis';
import type { RunEvent } from '../../engine/types.js';
import type { Bus, RunEventListener, Wake, WakeListener } from '../bus.js';

export interface RedisBusOptions {
  /** `redis://host:6379/0` */
  readonly url: string;
  /** Channel prefix, so several Runloom deployments (or tests) share one Redis (default `runloom`). */
  readonly prefix?: string;
  readonly log?: (message: string, data?: unknown) => void;
}

export function createRedisBus(options: RedisBusOptions): Bus {
  const prefix = options.prefix ?? 'runloom';
  const log = options.log ?? (() => {});
  const connect = () => {
    const redis = new Redis(options.url, { enableAutoPipelining: true, maxRetriesPerRequest: 3, lazyConnect: false });
    // A lost connection is retried by ioredis; meanwhile messages are lost, which the bus allows.
    redis.on('error', (error) => log('redis error', { message: error.message }));
    return redis;
  };
  const pub = connect();
  let sub: Redis | undefined;
  const runChannel = (runId: string) => `${prefix}:run:${runId}`;
  const wakeChannel = `${prefix}:wake`;
  const runListeners = new Map<string, { listeners: Set<RunEventListener>; ready: Promise<void> }>();
  const wakeListeners = new Set<WakeListener>();
  let wakeReady: Promise<void> | undefined;

  const subscriber = (): Redis => {
    if (sub) return sub;
    sub = connect();
    sub.on('message', (channel: string, message: string) => {
      try {
        if (channel === wakeChannel) {
          const wake = JSON.parse(message) as Wake;
          for (const listener of wakeListeners) listener(wake);
          return;
        }
        const runId = channel.slice(prefix.length + 5);
        const entry = runListeners.get(runId);
        if (!entry) return;
        const events = JSON.parse(message) as RunEvent[];
        for (const listener of entry.listeners) listener(runId, events);
      } catch (error) {
        log('bad bus message', { channel, message: (error as Error).message });
      }
    });
    return sub;
  };

  const publish = (channel: string, message: string) => {
    pub.publish(channel, message).catch((error: Error) => log('publish failed', { channel, message: error.message }));
  };

  return {
    async ping() {
      // Bounded: ioredis queues commands while reconnecting, and a probe must answer.
      const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, false).unref());
      return Promise.race([
        pub.ping().then(
          (reply) => reply === 'PONG',
          () => false,
        ),
        timeout,
      ]);
    },
    publishRunEvents(runId: string, events: readonly RunEvent[]) {
      if (events.length > 0) publish(runChannel(runId), JSON.stringify(events));
    },
    async subscribeRun(runId: string, listener: RunEventListener) {
      let entry = runListeners.get(runId);
      if (!entry) {
        // Every listener of the channel waits for the one SUBSCRIBE: events published after this
        // call resolves reach them all.
        const listeners = new Set<RunEventListener>();
        entry = {
          listeners,
          ready: subscriber()
            .subscribe(runChannel(runId))
            .then(() => {}),
        };
        runListeners.set(runId, entry);
      }
      entry.listeners.add(listener);
      const mine = entry;
      try {
        await mine.ready;
      } catch (error) {
        // Redis unreachable: the next subscriber tries again rather than inherit this failure.
        if (runListeners.get(runId) === mine) runListeners.delete(runId);
        throw error;
      }
      return () => {
        mine.listeners.delete(listener);
        if (mine.listeners.size === 0 && runListeners.get(runId) === mine) {
          runListeners.delete(runId);
          sub?.unsubscribe(runChannel(runId)).catch(() => {});
        }
      };
    },
    publishWake(wake: Wake) {
      publish(wakeChannel, JSON.stringify(wake));
    },
    async subscribeWake(listener: WakeListener) {
      wakeListeners.add(listener);
      wakeReady ??= subscriber()
        .subscribe(wakeChannel)
        .then(() => {});
      try {
        await wakeReady;
      } catch (error) {
        wakeListeners.delete(listener);
        wakeReady = undefined;
        throw error;
      }
      return () => {
        wakeListeners.delete(listener);
        if (wakeListeners.size === 0) {
          wakeReady = undefined;
          sub?.unsubscribe(wakeChannel).catch(() => {});
        }
      };
    },
    async close() {
      runListeners.clear();
      wakeListeners.clear();
      await Promise.all([pub.quit().catch(() => pub.disconnect()), sub?.quit().catch(() => sub?.disconnect())]);
    },
  };
}
