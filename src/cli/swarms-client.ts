/**
 * What `runloom swarms …` does, against the local store (the library) or a server (`--server`):
 * the same calls either way, so the commands do not care where the swarm lives.
 */
import type { RunView } from '../api/runs.js';
import type { Runloom } from '../runloom.js';
import type { AuditReport } from '../swarm/audit.js';
import type { SwarmChange } from '../swarm/changes.js';
import type { PatchOp } from '../swarm/patch.js';
import type { SubscribeOptions } from '../swarm/subscriptions.js';
import type { Swarm } from '../swarm/swarms.js';
import { localRuns, remoteRuns } from './runs-client.js';
import type { ApiClient } from './server-client.js';
import { dataOf, sseBlocks } from './sse-blocks.js';

export interface SwarmsClient {
  start(file: string, author?: string): Promise<Swarm>;
  /** Starts the coordinator run of the swarm's team. */
  startAgents(id: string): Promise<RunView>;
  /** The run once it settles: ended, paused, or waiting for a person or a system. */
  waitRun(runId: string): Promise<RunView>;
  list(): Promise<Swarm[]>;
  show(id: string): Promise<Swarm>;
  patch(id: string, ops: readonly PatchOp[], options: { author?: string; expectedVersion?: number }): Promise<Swarm>;
  rollback(id: string, version: number, author?: string): Promise<Swarm>;
  stop(id: string, author?: string): Promise<Swarm>;
  history(id: string, after?: number): Promise<SwarmChange[]>;
  audit(id: string): Promise<AuditReport>;
  /** Delivers batches until `signal` aborts. */
  watch(id: string, options: SubscribeOptions, deliver: (batch: SwarmChange[]) => void, signal: AbortSignal): Promise<void>;
}

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function localSwarms(runloom: Runloom, workspace: string): SwarmsClient {
  const s = runloom.swarms;
  const scope = { workspace };
  return {
    start: (file, author) => s.start(file, defined({ ...scope, author })),
    startAgents: (id) => s.startAgents(id, scope),
    waitRun: (runId) => localRuns(runloom).settled(runId),
    list: () => s.list(scope),
    show: (id) => s.get(id, scope),
    patch: (id, ops, options) => s.patch(id, ops, defined({ ...scope, ...options })),
    rollback: (id, version, author) => s.rollback(id, version, defined({ ...scope, author })),
    stop: (id, author) => s.stop(id, defined({ ...scope, author })),
    history: (id, after) => s.history(id, defined({ ...scope, afterVersion: after })),
    audit: (id) => s.audit(id, scope),
    async watch(id, options, deliver, signal) {
      // Polls too: writers in other processes reach this one through the store when no Redis bus is shared.
      const subscription = await s.subscribe(id, { pollMs: 250, ...scope, ...options }, deliver);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await subscription.close();
    },
  };
}

export function remoteSwarms(api: ApiClient): SwarmsClient {
  const at = (id: string) => `/v1/swarms/${encodeURIComponent(id)}`;
  return {
    start: (file, author) => api.call('POST', '/v1/swarms', defined({ file, author })),
    startAgents: (id) => api.call('POST', `${at(id)}/agents`),
    waitRun: (runId) => remoteRuns(api).settled(runId),
    list: async () => (await api.call<{ swarms: Swarm[] }>('GET', '/v1/swarms')).swarms,
    show: (id) => api.call('GET', at(id)),
    patch: (id, ops, options) => api.call('POST', `${at(id)}/patches`, defined({ ops, ...options })),
    rollback: (id, version, author) => api.call('POST', `${at(id)}/rollback`, defined({ version, author })),
    stop: (id, author) => api.call('POST', `${at(id)}/stop`, defined({ author })),
    history: async (id, after) =>
      (await api.call<{ changes: SwarmChange[] }>('GET', `${at(id)}/history?after=${after ?? 0}`)).changes,
    audit: (id) => api.call('GET', `${at(id)}/audit`),
    async watch(id, options, deliver, signal) {
      const query = new URLSearchParams(
        defined({
          after: options.fromVersion?.toString(),
          paths: options.paths?.join(','),
          types: options.types?.join(','),
          author: options.author,
          batchSize: options.batchSize?.toString(),
          batchMs: options.batchMs?.toString(),
          maxBatchesPerSecond: options.maxBatchesPerSecond?.toString(),
        }) as Record<string, string>,
      );
      let response: Response;
      try {
        response = await api.open(`${at(id)}/changes/follow?${query}`, { accept: 'text/event-stream' }, signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      for await (const block of sseBlocks(response, signal)) {
        const batch = dataOf(block, 'swarm-changes');
        if (batch !== undefined) deliver(batch as SwarmChange[]);
      }
    },
  };
}
