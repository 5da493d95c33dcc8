/**
 * Live run events as Server-Sent Events. Each event's `id:` is its seq, so a client that lost
 * the connection sends `Last-Event-ID` and the stream goes on after that seq: the library's
 * follow reads the log from there, then the live bus, with nothing missed and nothing twice.
 * The stream ends after the run's final event (`event: end`), or with `event: shutdown` when
 * the server stops (the client reconnects elsewhere with its Last-Event-ID).
 *
 * Live events (a model's text as it is written) come as `event: live` with no `id:` line: they
 * are not in the log, and an event without an id leaves the client's Last-Event-ID at the seq
 * of the last stored event, so a reconnect goes on exactly after it (live text in between is
 * not sent again; the stored step has the whole text).
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isLive } from '../bus/bus.js';
import type { Runloom } from '../runloom.js';

const KEEPALIVE_MS = 15_000;

/**
 * An event's JSON, made once however many streams follow its run: the bus hands every
 * follower the same event object (1,000 followers were 1,000 stringifies of each event).
 */
const serialized = new WeakMap<object, string>();
const jsonOf = (event: object): string => {
  let text = serialized.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    serialized.set(event, text);
  }
  return text;
};

export interface Streams {
  /** Open SSE streams (a metric). */
  readonly size: number;
  /** Ends every stream with `event: shutdown`, and refuses new ones. */
  closeAll(): Promise<void>;
  follow(c: Context, runloom: Runloom, runId: string, after: number): Response;
}

export function createStreams(): Streams {
  const open = new Set<{ stop: () => Promise<void> }>();
  let closing = false;
  return {
    get size() {
      return open.size;
    },
    async closeAll() {
      closing = true;
      await Promise.all([...open].map((s) => s.stop()));
    },
    follow(c, runloom, runId, after) {
      return streamSSE(c, async (stream) => {
        const abort = new AbortController();
        let shutdown: (() => void) | undefined;
        const stopped = new Promise<void>((resolve) => {
          shutdown = resolve;
        });
        const entry = {
          stop: async () => {
            abort.abort();
            await stopped;
          },
        };
        if (closing) return;
        open.add(entry);
        stream.onAbort(() => abort.abort());
        const keepalive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => abort.abort()), KEEPALIVE_MS);
        try {
          await stream.writeSSE({ event: 'open', data: JSON.stringify({ runId, after }), retry: 1000 });
          let ended = false;
          for await (const event of runloom.runs.follow(runId, { after, signal: abort.signal, live: true })) {
            if (stream.aborted) break;
            if (isLive(event)) {
              await stream.writeSSE({ event: 'live', data: JSON.stringify(event) });
              continue;
            }
            await stream.writeSSE({ id: String(event.seq), event: 'run-event', data: jsonOf(event) });
            ended = event.type === 'run.completed' || event.type === 'run.failed' || event.type === 'run.cancelled';
          }
          if (ended) await stream.writeSSE({ event: 'end', data: '{}' });
          else if (closing && !stream.aborted) await stream.writeSSE({ event: 'shutdown', data: '{}' });
        } finally {
          clearInterval(keepalive);
          open.delete(entry);
          shutdown?.();
        }
      });
    },
  };
}
