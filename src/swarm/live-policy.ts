/**
 * Live policy (F5.6): the runs of a swarm obey its budget and policies as they change. A run
 * started in a swarm (`startRun`) is a member — a run account in the ledger — and gets a credit
 * limit: what the swarm has left after every member's spending, capped by `maxCreditsPerRun`,
 * with `onBudget` (pause or fail) as what happens at it. When a patch changes the swarm's
 * policies or budget, every live member's limit is set again through the runs API, whose event
 * goes through the store to whichever worker holds the run (woken over the bus): the engine
 * checks limits before each step, so the run pauses (or fails) before its next costly step.
 * A raised budget resumes the members it had paused.
 */
import type { RunPlacement, RunsApi, RunView } from '../api/runs.js';
import type { RunOptions, RunState } from '../engine/types.js';
import type { Store } from '../store/store.js';
import type { SwarmContext } from './context.js';

export type RunsPort = Pick<RunsApi, 'start' | 'state' | 'raiseLimits' | 'resume'>;

export interface LivePolicy {
  startRun(
    swarmId: string,
    context: SwarmContext,
    flow: string,
    input: Record<string, unknown>,
    placement: RunPlacement,
  ): Promise<RunView>;
  /** Sets every live member's limit from the swarm's context now. */
  apply(swarmId: string, context: SwarmContext): Promise<void>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function createLivePolicy(store: Store, runs: RunsPort, now: () => number): LivePolicy {
  /** The states of the swarm's member runs; an allocation for a run this store does not have is no member. */
  const members = async (swarmId: string): Promise<RunState[]> => {
    const ids = (await store.swarms.accounts(swarmId)).filter((a) => a.kind === 'run' && a.status === 'open').map((a) => a.id);
    const states = await Promise.all(ids.map((id) => runs.state(id).catch(() => undefined)));
    return states.filter((s): s is RunState => s !== undefined);
  };
  const limitFor = (context: SwarmContext, own: number, all: number) => {
    const left = Math.max(0, context.resources.budget - all);
    const cap = context.policies.maxCreditsPerRun;
    return Math.max(own, cap === undefined ? own + left : Math.min(cap, own + left));
  };
  return {
    async startRun(swarmId, context, flow, input, placement) {
      const usages = (await members(swarmId)).map((s) => s.usage.credits);
      const options: RunOptions = {
        limits: {
          maxCredits: limitFor(
            context,
            0,
            usages.reduce((a, b) => a + b, 0),
          ),
        },
        onLimit: { maxCredits: context.policies.onBudget ?? 'pause' },
      };
      const run = await runs.start(flow, { ...input, swarm: swarmId }, options, placement);
      // Membership: a run account holding nothing yet (credits are the run's limit, set above).
      await store.swarms.reserve({
        swarmId,
        parentId: swarmId,
        accountId: run.id,
        kind: 'run',
        amount: 0,
        holder: run.id,
        at: now(),
      });
      return run;
    },
    async apply(swarmId, context) {
      const states = await members(swarmId);
      const all = states.reduce((sum, s) => sum + s.usage.credits, 0);
      for (const state of states) {
        if (TERMINAL.has(state.status)) continue;
        const maxCredits = limitFor(context, state.usage.credits, all);
        const onBudget = context.policies.onBudget ?? 'pause';
        if (maxCredits === state.limits.maxCredits && onBudget === state.onLimit?.maxCredits) continue;
        await runs.raiseLimits(state.meta.id, { maxCredits }, { maxCredits: onBudget });
        if (state.status === 'paused' && state.reason === 'max_credits' && maxCredits > state.usage.credits) {
          await runs.resume(state.meta.id, 'swarm-policy');
        }
      }
    },
  };
}
