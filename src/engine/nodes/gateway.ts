/**
 * Parallel (AND) and inclusive (OR) gateways. With several incoming edges a gateway is a join:
 * arrivals are parked per incoming edge. A parallel join fires when every incoming edge has a
 * token (a true AND-join, never "first one wins"); an inclusive join fires when no token that
 * could still reach it is left, i.e. exactly the branches its split activated have arrived.
 */
import type { CompiledFlow, InclusiveNode, ParallelNode } from '../../flow/compiled.js';
import { follow, followConditions } from '../outcome.js';
import type { Token } from '../types.js';
import { dropJoin, dropToken, log, type MutableJoin, newToken, putToken, type Work } from '../work.js';
import { beginStep } from './common.js';

type Gateway = ParallelNode | InclusiveNode;

export function enterGateway(w: Work, token: Token, node: Gateway): void {
  const counted = beginStep(w, token);
  if (!counted) return;
  const slot = node.incoming.length > 1 && counted.via !== undefined ? slotOf(node, counted.via) : -1;
  if (slot < 0) {
    split(w, counted, node);
    return;
  }
  dropToken(w, counted.id);
  let join = w.s.joins[node.index];
  if (!join) {
    join = { arrivals: node.incoming.map(() => []), filled: 0 };
    w.s.joins[node.index] = join;
  } else if (join.filled === undefined) {
    // Stored by a version that did not count them.
    join.filled = join.arrivals.filter((list) => list.length > 0).length;
  }
  const list = join.arrivals[slot];
  if (list.length === 0) join.filled++;
  list.push(counted);
  if (join.filled === join.arrivals.length) fire(w, node);
}

const wideJoins = new WeakMap<Gateway, Map<number, number>>();

/** The join slot of the edge a token arrived by: a search of a few edges, a map for a wide join. */
function slotOf(node: Gateway, via: number): number {
  if (node.incoming.length <= 16) return node.incoming.indexOf(via);
  let slots = wideJoins.get(node);
  if (!slots) {
    slots = new Map(node.incoming.map((edge, slot) => [edge, slot]));
    wideJoins.set(node, slots);
  }
  return slots.get(via) ?? -1;
}

/** Consumes one arrival from every incoming edge that has one and sends the merged token on. */
export function fire(w: Work, node: Gateway): void {
  const join = w.s.joins[node.index] as MutableJoin;
  const consumed: Token[] = [];
  let filled = 0;
  for (const list of join.arrivals) {
    if (list.length > 0) consumed.push(list.shift() as Token);
    if (list.length > 0) filled++;
  }
  join.filled = filled;
  if (filled === 0) dropJoin(w, node.index);
  const merged = newToken(w, node.index, commonBranch(consumed.map((t) => t.branch)));
  putToken(w, merged);
  log(w, 'branch.joined', merged, { tokens: consumed.map((t) => t.id) });
  split(w, merged, node);
}

function split(w: Work, token: Token, node: Gateway): void {
  if (node.type === 'inclusive') {
    followConditions(w, token, node, 'gateway');
    return;
  }
  // A parallel split takes every edge; conditions belong on inclusive gateways.
  follow(
    w,
    token,
    node.outgoing.map((index) => w.flow.edges[index]).filter((edge) => !edge.isTimeout),
  );
}

/**
 * The branch a join hands on: the longest common prefix of the joined branches, in whole
 * segments ("0.1" and "0.10" share "0", not "0.1"). Compared by character, without splitting
 * every branch (a 100-branch join did 100 splits and slices).
 */
export function commonBranch(branches: readonly string[]): string {
  let prefix = branches[0];
  for (let i = 1; i < branches.length && prefix.length > 0; i++) {
    const other = branches[i];
    const max = Math.min(prefix.length, other.length);
    let n = 0;
    while (n < max && prefix.charCodeAt(n) === other.charCodeAt(n)) n++;
    if (n < prefix.length) prefix = prefix.slice(0, n);
  }
  // Whole segments: the prefix must end where a segment ends in every branch.
  const end = prefix.length;
  for (const branch of branches) {
    if (branch.length !== end && branch.charCodeAt(end) !== DOT) {
      prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('.')));
      break;
    }
  }
  return prefix.length > 0 ? prefix : '0';
}

const DOT = 46;

/**
 * Fires joins that wait for nothing that can still come: inclusive joins always, parallel
 * joins only after a branch failed under `continue`. Returns true when one fired.
 */
export function fireStalledJoins(w: Work): boolean {
  const s = w.s;
  // Only inclusive joins, or parallel ones after a failure, can stall: most drives skip the loop.
  if (!s.branchFailed && !hasInclusiveJoin(w.flow)) return false;
  // for…in: this runs at the end of every drive, and most runs have no join waiting.
  for (const key in s.joins) {
    const index = Number(key);
    const node = w.flow.nodes[index] as Gateway;
    if (node.type === 'parallel' && !s.branchFailed) continue;
    if (canStillArrive(w, node)) continue;
    fire(w, node);
    return true;
  }
  return false;
}

const inclusiveJoins = new WeakMap<CompiledFlow, boolean>();

function hasInclusiveJoin(flow: CompiledFlow): boolean {
  let has = inclusiveJoins.get(flow);
  if (has === undefined) {
    has = flow.nodes.some((node) => node.type === 'inclusive' && node.incoming.length > 1);
    inclusiveJoins.set(flow, has);
  }
  return has;
}

function canStillArrive(w: Work, node: Gateway): boolean {
  const upstream = node.upstream;
  for (const token of w.s.tokens) {
    if (token.status !== 'failed' && upstream[token.node] === 1) return true;
  }
  for (const key in w.s.joins) {
    const other = Number(key);
    if (other !== node.index && upstream[other] === 1) return true;
  }
  return false;
}
