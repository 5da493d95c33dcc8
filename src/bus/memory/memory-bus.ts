import type { RunEvent } from '../../engine/types.js';
import type { Bus, RunEventListener, SwarmChangeListener, Wake, WakeListener } from '../bus.js';

/** In-process bus: synchronous fan-out to the listeners of a run. */
export function createMemoryBus(): Bus {
  const listeners = new Map<string, Set<RunEventListener>>();
  const wakeListeners = new Set<WakeListener>();
  const swarmListeners = new Map<string, Set<SwarmChangeListener>>();
  return {
    ping: async () => true,
    publishRunEvents(runId: string, events: readonly RunEvent[]) {
      const set = listeners.get(runId);
      if (!set || events.length === 0) return;
      for (const listener of set) listener(runId, events);
    },
    async subscribeRun(runId: string, listener: RunEventListener) {
      let set = listeners.get(runId);
      if (!set) {
        set = new Set();
        listeners.set(runId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(runId) === set) listeners.delete(runId);
      };
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
      const set = swarmListeners.get(swarmId) ?? new Set();
      swarmListeners.set(swarmId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && swarmListeners.get(swarmId) === set) swarmListeners.delete(swarmId);
      };
    },
    async ready() {},
    async close() {
      listeners.clear();
      wakeListeners.clear();
      swarmListeners.clear();
    },
  };
}
