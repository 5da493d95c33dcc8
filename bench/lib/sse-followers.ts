/**
 * Server-Sent Events followers for the API bench: `n` real HTTP connections reading an event
 * stream, each delivery's latency taken against the event's own `at` (same process, same clock).
 */
import http from 'node:http';

export interface FanOut {
  /** Deliveries of `run-event`s, over all followers. */
  readonly delivered: number;
  /** ms from the first event's `at` to the last delivery. */
  readonly spanMs: number;
  /** Delivery latencies, ms, sorted. */
  readonly latencies: readonly number[];
}

export interface Followers {
  /** Resolves once every follower got its `open` event. */
  readonly ready: Promise<void>;
  /** Resolves once every follower got `end`. */
  done(): Promise<FanOut>;
}

export function follow(url: string, n: number): Followers {
  const agent = new http.Agent({ keepAlive: true, maxSockets: n });
  const latencies: number[] = [];
  let firstAt = Number.POSITIVE_INFINITY;
  let lastSeen = 0;
  let opened = 0;
  let ended = 0;
  let onReady: () => void = () => {};
  let onDone: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const finished = new Promise<void>((resolve) => {
    onDone = resolve;
  });
  for (let i = 0; i < n; i++) {
    http.get(url, { agent }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = Date.now();
        buffer += chunk;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const message = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
          if (message.includes('event: open') && ++opened === n) onReady();
          if (message.includes('event: end')) {
            res.destroy();
            if (++ended === n) onDone();
          }
          const data = message.includes('event: run-event') ? /^data: (.*)$/m.exec(message)?.[1] : undefined;
          if (data === undefined) continue;
          const at = (JSON.parse(data) as { at: number }).at;
          firstAt = Math.min(firstAt, at);
          lastSeen = now;
          latencies.push(now - at);
        }
      });
    });
  }
  return {
    ready,
    async done() {
      await finished;
      agent.destroy();
      latencies.sort((a, b) => a - b);
      return { delivered: latencies.length, spanMs: Math.max(1, lastSeen - firstAt), latencies };
    },
  };
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
