/**
 * Index-based graph algorithms shared by validation and compilation: reachability, dominance
 * and join upstream sets. A link is an edge or a boundary event (node → boundary target); both
 * move tokens, so both count for reachability.
 */

export interface Graph {
  readonly size: number;
  readonly succ: readonly (readonly number[])[];
  readonly pred: readonly (readonly number[])[];
}

export function buildGraph(size: number, links: Iterable<readonly [number, number]>): Graph {
  const succ: number[][] = Array.from({ length: size }, () => []);
  const pred: number[][] = Array.from({ length: size }, () => []);
  for (const [from, to] of links) {
    if (from < 0 || to < 0 || from >= size || to >= size) continue;
    succ[from].push(to);
    pred[to].push(from);
  }
  return { size, succ, pred };
}

/**
 * Nodes reachable from `roots` following `next`, never entering a node marked in `blocked`
 * (a blocked root is not expanded either). The roots themselves are marked.
 */
function walk(graph: Graph, next: Graph['succ'], roots: readonly number[], blocked?: (node: number) => boolean): Uint8Array {
  const seen = new Uint8Array(graph.size);
  const stack: number[] = [];
  for (const root of roots) {
    if (seen[root] || blocked?.(root)) continue;
    seen[root] = 1;
    stack.push(root);
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const other of next[node]) {
      if (seen[other] || blocked?.(other)) continue;
      seen[other] = 1;
      stack.push(other);
    }
  }
  return seen;
}

export function reachableFrom(graph: Graph, roots: readonly number[], blocked?: (node: number) => boolean): Uint8Array {
  return walk(graph, graph.succ, roots, blocked);
}

/** Nodes from which one of `targets` is reachable (targets included). */
export function reaching(graph: Graph, targets: readonly number[], blocked?: (node: number) => boolean): Uint8Array {
  return walk(graph, graph.pred, targets, blocked);
}

/**
 * The dominator tree from `start`: `idom[n]` is the immediate dominator of n (the last node
 * every path from start to n passes through), -1 for the start node and unreachable nodes.
 * Cooper, Harvey & Kennedy, "A Simple, Fast Dominance Algorithm" (2001).
 */
export function immediateDominators(graph: Graph, start: number): Int32Array {
  // Reverse postorder by an iterative depth-first search.
  const order: number[] = [];
  const seen = new Uint8Array(graph.size);
  const stack: [number, number][] = [[start, 0]];
  seen[start] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = graph.succ[top[0]][top[1]++];
    if (next === undefined) {
      order.push(top[0]);
      stack.pop();
    } else if (!seen[next]) {
      seen[next] = 1;
      stack.push([next, 0]);
    }
  }
  order.reverse();
  const rank = new Int32Array(graph.size).fill(-1);
  order.forEach((n, i) => {
    rank[n] = i;
  });
  const idom = new Int32Array(graph.size).fill(-1);
  idom[start] = start;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rank[a] > rank[b]) a = idom[a];
      while (rank[b] > rank[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of order) {
      if (n === start) continue;
      let candidate = -1;
      for (const p of graph.pred[n]) {
        if (idom[p] === -1) continue;
        candidate = candidate === -1 ? p : intersect(p, candidate);
      }
      if (candidate !== idom[n]) {
        idom[n] = candidate;
        changed = true;
      }
    }
  }
  idom[start] = -1;
  return idom;
}

/** Whether `a` dominates `b` (a node dominates itself), given `immediateDominators`. */
export function dominates(idom: Int32Array, a: number, b: number): boolean {
  for (let n = b; n !== -1; n = idom[n]) if (n === a) return true;
  return false;
}

/** The nearest node dominating both `a` and `b`, or -1 when one is unreachable. */
export function commonDominator(idom: Int32Array, start: number, a: number, b: number): number {
  const above = new Set<number>();
  for (let n = a; n !== -1; n = idom[n]) above.add(n);
  if (!above.has(start)) return -1;
  for (let n = b; n !== -1; n = idom[n]) if (above.has(n)) return n;
  return -1;
}

/**
 * For a join: the nodes where a token can stand and still reach the join without passing
 * through the join itself (index → 1). The join is 0 unless a loop leads back into it
 * through other nodes only — then it is still 0: a token at the join has already arrived.
 */
export function upstreamOf(graph: Graph, join: number): Uint8Array {
  const seen = walk(graph, graph.pred, graph.pred[join], (n) => n === join);
  seen[join] = 0;
  return seen;
}

/**
 * For a join: where a token must stand to still be on its way to the join's *current*
 * activation — upstream of the join and inside the region of its immediate dominator (the
 * split that opened the block), the dominator itself excluded.
 *
 * Why not every upstream node: in a loop, nodes after the join lead back to it, so a token
 * parked at an outer AND-join (or any token past the block) looks upstream although it can only
 * get there by passing the dominator again, i.e. in a later activation. Counting it made an
 * inclusive join inside a loop wait forever for a branch its split never activated. A node
 * outside the dominator's region cannot reach the join without passing the dominator (else the
 * dominator would not dominate the join), so such a token always belongs to a later activation.
 */
export function arrivalScopeOf(graph: Graph, idom: Int32Array, join: number): Uint8Array {
  const scope = upstreamOf(graph, join);
  const opener = idom[join];
  if (opener === -1) return scope;
  for (let n = 0; n < graph.size; n++) {
    if (scope[n] && (n === opener || !dominates(idom, opener, n))) scope[n] = 0;
  }
  return scope;
}
