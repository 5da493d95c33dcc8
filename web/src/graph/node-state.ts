/** What a node of a run looks like at a moment: its state, tokens standing on it, how often entered. */
import type { RunStateAt } from '../api/types';

export type NodeState = 'idle' | 'done' | 'running' | 'waiting' | 'failed';

export interface NodeMarks {
  readonly state: NodeState;
  readonly tokens: number;
  readonly visits: number;
}

const IDLE: NodeMarks = { state: 'idle', tokens: 0, visits: 0 };

/** A token's status wins over what the node did before (a loop back to a done node runs again). */
export function marksOf(run: RunStateAt | undefined): (nodeId: string) => NodeMarks {
  if (!run) return () => IDLE;
  const standing = new Map<string, { count: number; state: NodeState }>();
  for (const token of run.tokens) {
    const state: NodeState = token.status === 'failed' ? 'failed' : token.status === 'waiting' ? 'waiting' : 'running';
    const seen = standing.get(token.nodeId);
    // Several tokens on one node: a failed one shows first, then a waiting one.
    const rank = { failed: 3, waiting: 2, running: 1, done: 0, idle: 0 };
    standing.set(token.nodeId, {
      count: (seen?.count ?? 0) + 1,
      state: seen && rank[seen.state] > rank[state] ? seen.state : state,
    });
  }
  return (nodeId) => {
    const visits = run.visits[nodeId] ?? 0;
    const here = standing.get(nodeId);
    if (here) return { state: here.state, tokens: here.count, visits };
    if (run.steps[nodeId]?.status === 'failed') return { state: 'failed', tokens: 0, visits };
    return { state: visits > 0 || run.steps[nodeId] ? 'done' : 'idle', tokens: 0, visits };
  };
}
