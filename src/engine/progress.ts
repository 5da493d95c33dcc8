/**
 * Progress (F2.12): completed weight over the weight of the path still reachable, and where
 * each token stands.
 */
import type { CompiledFlow } from '../flow/compiled.js';
import type { Mutable } from '../mutable.js';
import type { RunState, Token } from './types.js';

export interface BranchView {
  readonly token: number;
  readonly branch: string;
  readonly nodeId: string;
  readonly status: string;
  readonly waitingFor?: string;
  readonly attempt: number;
  readonly mapDone?: number;
  readonly mapTotal?: number;
}

export interface Progress {
  readonly percent: number;
  readonly completedWeight: number;
  readonly totalWeight: number;
  readonly branches: readonly BranchView[];
}

const DONE = 1;
const REMAINING = 2;
/** Marks by node index, reused (every run's view computes progress; sets cost a microsecond). */
let scratch = new Uint8Array(64);

export function progressOf(state: RunState, flow: CompiledFlow): Progress {
  if (scratch.length < flow.nodes.length) scratch = new Uint8Array(flow.nodes.length * 2);
  const marks = scratch;
  marks.fill(0, 0, flow.nodes.length);
  for (const id in state.steps) {
    const index = flow.nodeIndex.get(id);
    if (index !== undefined && state.steps[id].status === 'completed') marks[index] |= DONE;
  }
  // Everything a live token can still reach is work left, whether or not it ran before (loops).
  const stack: number[] = [];
  for (const token of state.tokens) if (token.status !== 'failed') stack.push(token.node);
  for (const key in state.joins) stack.push(Number(key));
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (marks[node] & REMAINING) continue;
    marks[node] |= REMAINING;
    for (const edge of flow.nodes[node].outgoing) stack.push(flow.edges[edge].to);
    // A boundary's target may still be taken: counting it only once it fires made percent drop.
    for (const boundary of flow.nodes[node].boundaries) stack.push(boundary.to);
  }
  let completedWeight = 0;
  let totalWeight = 0;
  for (const node of flow.nodes) {
    if (node.type === 'start' || node.type === 'end') continue;
    const mark = marks[node.index];
    if (mark === DONE) completedWeight += node.weight;
    if (mark !== 0) totalWeight += node.weight;
  }
  const finished = state.status === 'completed';
  const percent = finished ? 100 : totalWeight === 0 ? 0 : Math.floor((completedWeight / totalWeight) * 100);
  const branches = state.tokens.map((token) => branchView(flow, token));
  return { percent, completedWeight, totalWeight, branches };
}

function branchView(flow: CompiledFlow, token: Token): BranchView {
  const view: Mutable<BranchView> = {
    token: token.id,
    branch: token.branch,
    nodeId: flow.nodes[token.node].id,
    status: token.status,
    attempt: token.attempt,
  };
  if (token.waitingFor) view.waitingFor = token.waitingFor;
  if (token.map) {
    view.mapDone = token.map.done;
    view.mapTotal = token.map.items.length;
  }
  return view;
}
