/** `swarms` of a store whose operations are prepared on first use (after migrations). */
import type { SwarmRecords } from './store.js';

export function lazySwarms(use: () => SwarmRecords | Promise<SwarmRecords>): SwarmRecords {
  return {
    create: async (row, first, budget) => (await use()).create(row, first, budget),
    get: async (id, workspace) => (await use()).get(id, workspace),
    list: async (workspace) => (await use()).list(workspace),
    commitVersion: async (id, expected, next, budget, writeKey) =>
      (await use()).commitVersion(id, expected, next, budget, writeKey),
    findWrite: async (id, writeKey) => (await use()).findWrite(id, writeKey),
    versions: async (id, afterVersion) => (await use()).versions(id, afterVersion),
    setStatus: async (id, status, at) => (await use()).setStatus(id, status, at),
    reserve: async (reservation) => (await use()).reserve(reservation),
    close: async (swarmId, accountId, at, cost) => (await use()).close(swarmId, accountId, at, cost),
    releaseHolder: async (holder, at) => (await use()).releaseHolder(holder, at),
    refund: async (swarmId, accountId, amount, at) => (await use()).refund(swarmId, accountId, amount, at),
    accounts: async (swarmId) => (await use()).accounts(swarmId),
    ledger: async (swarmId) => (await use()).ledger(swarmId),
  };
}
