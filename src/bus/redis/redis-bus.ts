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
import { RunloomError } from '../../errors.js';
import type { Bus, LiveEvent, LiveListener, RunEventListener, SwarmChangeListener, Wake, WakeListener } from '../bus.js';

export interface RedisBusOptions {
  /** `redis://host:6379/0` */
  readonly url: string;
  /** Channel prefix, so several Runloom deployments (or tests) share one Redis (default `runloom`). */
  readonly prefix?: string;
  readonly log?: (message: string, data?: unknown) => void;
}

/**
 * A run's live events that reached nobody are not sent again for this long (PUBLISH answers how
 * many heard it): a step nobody follows costs one message per second, not one per token. A
 * follower who joins meanwhile misses at most this much of the text (the whole text is stored).
 */
const LIVE_QUIET_MS = 1_000;
/** Runs remembered as unheard; past this many (runs that ended), the memory starts over. */
const MAX_QUIET_RUNS = 10_000;

/** How long the first connection may take before the bus counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The URL without its password, for messages (a URL may carry credentials). */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}

/** QUIT when connected (what was published leaves first); a client still retrying just stops. */
async function end(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}

export function createRedisBus(options: RedisBusOptions): Bus {
  const prefix = options.prefix ?? 'runloom';
  const log = options.log ?? (() => {});
  const where = shownUrl(options.url);
  let lost = false;
  const connect = () => {
    // No limit on retries per command: while the connection is down, published messages wait
    // in the client's queue and leave when it is back (ioredis also re-sends the ones in flight
    // and re-subscribes), instead of failing after 3 tries — each with a log line — and being
    // lost. A connection that never came up is refused by `ready()`.
    const redis = new Redis(options.url, { enableAutoPipelining: true, maxRetriesPerRequest: null, lazyConnect: false });
    // One line per outage, not one per retry or per message.
    redis.on('error', (error) => {
      if (lost || !everReady) return;
      lost = true;
      log('bus connection lost, retrying', { url: where, message: error.message });
    });
    redis.on('ready', () => {
      everReady = true;
      if (!lost) return;
      lost = false;
      log('bus connection back', { url: where });
    });
    return redis;
  };
  let everReady = false;
  const pub = connect();
  let sub: Redis | undefined;
  const firstConnection = new Promise<void>((resolve, reject) => {
    if (pub.status === 'ready') return resolve();
    const timer = setTimeout(() => fail(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      pub.off('ready', ok);
      reject(
        new RunloomError('BUS_UNREACHABLE', `the bus '${where}' cannot be reached: ${error.message}`, {
          details: { url: where },
          cause: error,
        }),
      );
    };
    const ok = () => {
      clearTimeout(timer);
      pub.off('error', fail);
      resolve();
    };
    pub.once('ready', ok);
    pub.once('error', fail);
  });
  // Nobody may ask: an unreachable bus must not become an unhandled rejection.
  firstConnection.catch(() => {});
  const runChannel = (runId: string) => `${prefix}:run:${runId}`;
  const liveChannel = (runId: string) => `${prefix}:live:${runId}`;
  const swarmChannel = (swarmId: string) => `${prefix}:swarm:${swarmId}`;
  const wakeChannel = `${prefix}:wake`;
  /** Per subscribed channel (a run's events or live events, a swarm's changes): its listeners of messages. */
  const channels = new Map<string, { listeners: Set<(message: string) => void>; ready: Promise<void> }>();
  const quietUntil = new Map<string, number>();
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
        const entry = channels.get(channel);
        if (entry) for (const listener of entry.listeners) listener(message);
      } catch (error) {
        log('bad bus message', { channel, message: (error as Error).message });
      }
    });
    return sub;
  };

  const publish = (channel: string, message: string) =>
    pub.publish(channel, message).catch((error: Error) => {
      log('publish failed', { channel, message: error.message });
      return 0;
    });

  /** Listens to a channel; every listener of it waits for its one SUBSCRIBE. */
  const listen = async (channel: string, listener: (message: string) => void): Promise<() => void> => {
    let entry = channels.get(channel);
    if (!entry) {
      entry = {
        listeners: new Set(),
        ready: subscriber()
          .subscribe(channel)
          .then(() => {}),
      };
      channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    const mine = entry;
    try {
      await mine.ready;
    } catch (error) {
      // Redis unreachable: the next subscriber tries again rather than inherit this failure.
      if (channels.get(channel) === mine) channels.delete(channel);
      throw error;
    }
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size === 0 && channels.get(channel) === mine) {
        channels.delete(channel);
        sub?.unsubscribe(channel).catch(() => {});
      }
    };
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
      if (events.length > 0) void publish(runChannel(runId), JSON.stringify(events));
    },
    subscribeRun(runId: string, listener: RunEventListener) {
      return listen(runChannel(runId), (message) => listener(runId, JSON.parse(message) as RunEvent[]));
    },
    publishLive(runId: string, event: LiveEvent) {
      const quiet = quietUntil.get(runId);
      if (quiet !== undefined) {
        if (Date.now() < quiet) return;
        quietUntil.delete(runId);
      }
      void publish(liveChannel(runId), JSON.stringify(event)).then((heard) => {
        if (heard > 0) return;
        if (quietUntil.size >= MAX_QUIET_RUNS) quietUntil.clear();
        quietUntil.set(runId, Date.now() + LIVE_QUIET_MS);
      });
    },
    subscribeLive(runId: string, listener: LiveListener) {
      return listen(liveChannel(runId), (message) => listener(runId, JSON.parse(message) as LiveEvent));
    },
    publishSwarmChange(swarmId: string, change: unknown) {
      void publish(swarmChannel(swarmId), JSON.stringify(change));
    },
    subscribeSwarm(swarmId: string, listener: SwarmChangeListener) {
      return listen(swarmChannel(swarmId), (message) => listener(swarmId, JSON.parse(message) as unknown));
    },
    publishWake(wake: Wake) {
      void publish(wakeChannel, JSON.stringify(wake));
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
    ready: () => firstConnection,
    async close() {
      channels.clear();
      quietUntil.clear();
      wakeListeners.clear();
      await Promise.all([pub, sub].map((redis) => redis && end(redis)));
    },
  };
}
