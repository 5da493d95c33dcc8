/**
 * Read a run's log from any sequence number, then follow it live, with nothing missed between
 * the two: we subscribe before reading history, and drop live events the history already had.
 * Across processes the bus may deliver late or lose a message (a worker dying between commit and
 * publish): a live event past a gap triggers a read of the missing range from the store, and a
 * follower that hears nothing for `pollMs` reads the store anyway (a lost last event must not
 * leave it waiting forever).
 *
 * With `live`, the run's live events (a model's text as it is written: bus.ts LiveEvent) come
 * in between, in the order they arrive. They have no seq and are never read from the store: a
 * follower sees the text written after it joined, and the stored step has all of it.
 */
import { type Bus, isLive, type LiveEvent } from '../bus/bus.js';
import type { RunEvent } from '../engine/types.js';
import type { Store } from '../store/store.js';

const FINAL = new Set(['run.completed', 'run.failed', 'run.cancelled']);

export interface FollowOptions {
  /** Start after this sequence number (0 = from the beginning). */
  readonly after?: number;
  /** Stop after the run's completed/failed/cancelled event (default true). */
  readonly untilFinished?: boolean;
  readonly signal?: AbortSignal;
  /** Read the store after this long without a live event (ms, default 1,000). */
  readonly pollMs?: number;
  /** Also yield the run's live events (not stored; no seq). */
  readonly live?: boolean;
}

export function followRun(
  store: Store,
  bus: Bus,
  runId: string,
  options: FollowOptions & { readonly live: true },
): AsyncGenerator<RunEvent | LiveEvent>;
export function followRun(store: Store, bus: Bus, runId: string, options?: FollowOptions): AsyncGenerator<RunEvent>;
export async function* followRun(
  store: Store,
  bus: Bus,
  runId: string,
  options: FollowOptions = {},
): AsyncGenerator<RunEvent | LiveEvent> {
  const untilFinished = options.untilFinished ?? true;
  const buffer: (RunEvent | LiveEvent)[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = await bus.subscribeRun(runId, (_, events) => {
    for (const event of events) buffer.push(event);
    wake?.();
  });
  const unsubscribeLive = options.live
    ? await bus.subscribeLive(runId, (_, event) => {
        buffer.push(event);
        wake?.();
      })
    : undefined;
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);
  try {
    let last = options.after ?? 0;
    for (const event of await store.readEvents(runId, last)) {
      yield event;
      last = event.seq;
      if (untilFinished && FINAL.has(event.type)) return;
    }
    for (;;) {
      while (buffer.length > 0) {
        const event = buffer.shift() as RunEvent | LiveEvent;
        if (isLive(event)) {
          yield event;
          continue;
        }
        if (event.seq <= last) continue;
        if (event.seq > last + 1) {
          // A gap: what the bus missed is durable (events are published after commit).
          for (const missed of await store.readEvents(runId, last, event.seq - last - 1)) {
            yield missed;
            last = missed.seq;
            if (untilFinished && FINAL.has(missed.type)) return;
          }
        }
        yield event;
        last = event.seq;
        if (untilFinished && FINAL.has(event.type)) return;
      }
      if (options.signal?.aborted) return;
      const heard = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), options.pollMs ?? 1_000);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = undefined;
      if (!heard) for (const event of await store.readEvents(runId, last)) buffer.push(event);
    }
  } finally {
    unsubscribe();
    unsubscribeLive?.();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
