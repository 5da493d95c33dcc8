/**
 * Cheap "reject this pending step if its signal aborts".
 *
 * `addEventListener`/`removeEventListener` on an AbortSignal cost about 1 µs a pair in Node 20,
 * which is a fifth of the engine's per-step budget. Instead each signal gets ONE listener, the
 * first time a step under it goes async, and pending steps join or leave a Set (tens of ns).
 * The listener stays attached while the Set is empty; it and the Set are collected with the
 * signal (the WeakMap holds the signal weakly).
 */
/**
 * An object rather than a callback: under tsx (esbuild `keepNames`) every named closure costs a
 * `defineProperty` when created, which made a per-step callback the slowest part of a step.
 */
export interface AbortWatcher {
  onAbort(reason: unknown): void;
}

const watched = new WeakMap<AbortSignal, Set<AbortWatcher>>();

/** Calls `watcher.onAbort` once if `signal` aborts before `unwatch`. The signal must not be aborted yet. */
export function watch(signal: AbortSignal, watcher: AbortWatcher): void {
  let pending = watched.get(signal);
  if (pending === undefined) {
    const set = new Set<AbortWatcher>();
    pending = set;
    watched.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        watched.delete(signal);
        for (const watcher of set) watcher.onAbort(signal.reason);
        set.clear();
      },
      { once: true },
    );
  }
  pending.add(watcher);
}

export function unwatch(signal: AbortSignal, watcher: AbortWatcher): void {
  watched.get(signal)?.delete(watcher);
}
