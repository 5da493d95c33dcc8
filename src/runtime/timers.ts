/**
 * In-process timer scheduling. The durable truth is the store's timers table (written with each
 * checkpoint); this only arms `setTimeout`s for what is due, and is re-armed from the table on
 * start (embedded) or when a worker takes a run over (shared).
 */
const MAX_DELAY = 2_147_483_647;

export interface TimerScheduler {
  schedule(runId: string, seq: number, fireAt: number): void;
  clear(runId: string, seq: number): void;
  /** Disarms every timer of a run (its worker gave it up). */
  clearRun(runId: string): void;
  close(): void;
  readonly size: number;
}

export function createTimerScheduler(now: () => number, fire: (runId: string, seq: number) => void): TimerScheduler {
  const byRun = new Map<string, Map<number, NodeJS.Timeout>>();
  let size = 0;
  const forget = (runId: string, seq: number) => {
    const handles = byRun.get(runId);
    const handle = handles?.get(seq);
    if (!handles || !handle) return;
    clearTimeout(handle);
    handles.delete(seq);
    size--;
    if (handles.size === 0) byRun.delete(runId);
  };
  const arm = (runId: string, seq: number, fireAt: number) => {
    const delay = Math.max(0, fireAt - now());
    const handle = setTimeout(
      () => {
        if (delay > MAX_DELAY) return arm(runId, seq, fireAt);
        forget(runId, seq);
        fire(runId, seq);
      },
      Math.min(delay, MAX_DELAY),
    );
    // Referenced on purpose: a pending timer is work left for this process; close() clears them.
    let handles = byRun.get(runId);
    if (!handles) {
      handles = new Map();
      byRun.set(runId, handles);
    }
    if (!handles.has(seq)) size++;
    handles.set(seq, handle);
  };
  return {
    schedule(runId, seq, fireAt) {
      const existing = byRun.get(runId)?.get(seq);
      if (existing) clearTimeout(existing);
      arm(runId, seq, fireAt);
    },
    clear: forget,
    clearRun(runId) {
      const handles = byRun.get(runId);
      if (!handles) return;
      for (const handle of handles.values()) clearTimeout(handle);
      size -= handles.size;
      byRun.delete(runId);
    },
    close() {
      for (const handles of byRun.values()) for (const handle of handles.values()) clearTimeout(handle);
      byRun.clear();
      size = 0;
    },
    get size() {
      return size;
    },
  };
}
