import type { RunEvent } from '../../engine/types.js';
import type { Bus, LiveEvent, LiveListener, RunEventListener, SwarmChangeListener, Wake, WakeListener } from '../bus.js';

/** In-process bus: synchronous fan-out to the listeners of a run. */
export function createMemoryBus(): Bus {
  const listeners = new Map<string, Set<RunEventListener>>();
  const wakeListeners = new Set<WakeListener>();
  const liveListeners = new Map<string, Set<LiveListener>>();
  const swarmListeners = new Map<string, Set<SwarmChangeListener>>();
  return {
    ping: async () => true,
    publishRunEvents(runId: string, events: readonly RunEvent[]) {
      const set = listeners.get(runId);
      if (!set || events.length === 0) return;
      for (const listener of set) listener(runId, events);
    },
    async subscribeRun(runId: string, listener: RunEventListener) {
      return added(listeners, runId, listener);
    },
    publishLive(runId: string, event: LiveEvent) {
      const set = liveListeners.get(runId);
      if (set) for (const listener of set) listener(runId, event);
    },
    async subscribeLive(runId: string, listener: LiveListener) {
      return added(liveListeners, runId, listener);
    },
    publishWake(wake: Wake) {
      for (const listener of wakeListeners) listener(wake);
    },
    async subscribeWake(listener: WakeListener) {
      wakeListeners.add(listener);
      return () => {
        wakeListeners.delete(listener);
      };
    },
    publishSwarmChange(swarmId: string, change: unknown) {
      for (const listener of swarmListeners.get(swarmId) ?? []) listener(swarmId, change);
    },
    async subscribeSwarm(swarmId: string, listener: SwarmChangeListener) {
      return added(swarmListeners, swarmId, listener);
    },
    async ready() {},
    async close() {
      listeners.clear();
      liveListeners.clear();
      wakeListeners.clear();
      swarmListeners.clear();
    },
  };
}

/** Adds a run's (or swarm's) listener; the function returned removes it (and its set once empty). */
function added<L>(byRun: Map<string, Set<L>>, runId: string, listener: L): () => void {
  let set = byRun.get(runId);
  if (!set) {
    set = new Set();
    byRun.set(runId, set);
  }
  const mine = set;
  mine.add(listener);
  return () => {
    mine.delete(listener);
    if (mine.size === 0 && byRun.get(runId) === mine) byRun.delete(runId);
  };
}
