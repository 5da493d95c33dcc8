/**
 * In-process timer scheduling. The durable truth is the store's timers table (written with each
 * checkpoint); this only arms `setTimeout`s for what is due, and is re-armed from the table on start.
 */
const MAX_DELAY = 2_147_483_647;

export interface TimerScheduler {
  schedule(runId: string, seq: number, fireAt: number): void;
  clear(runId: string, seq: number): void;
  close(): void;
  readonly size: number;
}

export function createTimerScheduler(now: () => number, fire: (runId: string, seq: number) => void): TimerScheduler {
  const handles = new Map<string, NodeJS.Timeout>();
  const arm = (key: string, runId: string, seq: number, fireAt: number) => {
    const delay = Math.max(0, fireAt - now());
    const handle = setTimeout(
      () => {
        if (delay > MAX_DELAY) return arm(key, runId, seq, fireAt);
        handles.delete(key);
        fire(runId, seq);
      },
      Math.min(delay, MAX_DELAY),
    );
    // Referenced on purpose: a pending timer is work left for this process; close() clears them.
    handles.set(key, handle);
  };
  return {
    schedule(runId, seq, fireAt) {
      const key = `${runId}:${seq}`;
      const existing = handles.get(key);
      if (existing) clearTimeout(existing);
      arm(key, runId, seq, fireAt);
    },
    clear(runId, seq) {
      const key = `${runId}:${seq}`;
      const handle = handles.get(key);
      if (handle) clearTimeout(handle);
      handles.delete(key);
    },
    close() {
      for (const handle of handles.values()) clearTimeout(handle);
      handles.clear();
    },
    get size() {
      return handles.size;
    },
  };
}
