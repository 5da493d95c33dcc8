/**
 * Hierarchical budgets (F5.4): the swarm's budget → a run's allocation → a step's reservation.
 * Every call is one atomic store move and one ledger entry or more; a refused reservation
 * (false) means the parent cannot cover it right now.
 */
import { RequestError } from '../errors.js';
import type { Store } from '../store/store.js';

export interface SwarmBudgets {
  /** Holds `amount` of the swarm's credits for a run; false when the swarm cannot cover it. */
  allocate(swarmId: string, runId: string, amount: number): Promise<boolean>;
  /**
   * Holds `amount` of a run's allocation for a step (`stepId` unique in the swarm), held by the
   * worker running it (default `<runId>/steps`): its takeover releases it, the run keeps its allocation.
   */
  reserve(swarmId: string, runId: string, stepId: string, amount: number, holder?: string): Promise<boolean>;
  /** Charges a step's real cost and returns the rest of its reservation to its run. */
  settle(swarmId: string, stepId: string, cost: number): Promise<boolean>;
  /** Returns an account's unused credits (a cancelled step, a finished run) to its parent. */
  release(swarmId: string, accountId: string): Promise<boolean>;
  /** Releases everything a holder (a crashed worker, a run taken over) still holds. */
  releaseHolder(holder: string): Promise<number>;
  refund(swarmId: string, accountId: string, amount: number): Promise<boolean>;
}

const checkCredits = (amount: number, what: string) => {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RequestError('INPUT_INVALID', `${what} is a whole, non-negative number of credits, not ${amount}`);
  }
};

export function createBudgets(store: Store, now: () => number): SwarmBudgets {
  const ledger = store.swarms;
  return {
    async allocate(swarmId, runId, amount) {
      checkCredits(amount, 'an allocation');
      return ledger.reserve({ swarmId, parentId: swarmId, accountId: runId, kind: 'run', amount, holder: runId, at: now() });
    },
    async reserve(swarmId, runId, stepId, amount, holder = `${runId}/steps`) {
      checkCredits(amount, 'a reservation');
      return ledger.reserve({ swarmId, parentId: runId, accountId: stepId, kind: 'step', amount, holder, at: now() });
    },
    async settle(swarmId, stepId, cost) {
      checkCredits(cost, 'a cost');
      return ledger.close(swarmId, stepId, now(), cost);
    },
    release: (swarmId, accountId) => ledger.close(swarmId, accountId, now()),
    releaseHolder: (holder) => ledger.releaseHolder(holder, now()),
    async refund(swarmId, accountId, amount) {
      checkCredits(amount, 'a refund');
      return ledger.refund(swarmId, accountId, amount, now());
    },
  };
}
