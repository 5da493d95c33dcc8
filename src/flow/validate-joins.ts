/**
 * JOIN_NEVER_FIRES: a parallel join waits for a token on every incoming edge (F2.2). It can
 * never fire when two of its incoming edges are mutually exclusive, or when an incoming edge
 * can only be reached through the join itself.
 *
 * Mutually exclusive (a conservative test: no false alarms, some misses): the nearest common
 * dominator X of the two edges' sources is an exclusive node (decision or race), the edges are
 * reached through disjoint sets of X's outgoing edges (paths may not pass through X or the
 * join), and X can hold only one token at a time — no fork can send it two tokens (a fork
 * reaching X along two lanes not merged by a join, or a fork in a loop with X). A parallel
 * fork feeding the join, or a loop back into a decision, therefore never triggers it.
 */
import type { FlowProblem } from '../errors.js';
import { commonDominator, dominates, immediateDominators, reachableFrom } from './graph.js';
import { problem } from './problems.js';
import type { FlowGraph } from './validate-graph.js';
import type { EdgeView, FlowView, NodeView } from './view.js';

interface Forks {
  /** Nodes that may split one token into several → their distinct successors. */
  readonly lanes: ReadonlyMap<number, readonly number[]>;
  /** Parallel/inclusive nodes with several incoming links: they merge tokens into one. */
  readonly joins: ReadonlySet<number>;
}

interface Incoming {
  readonly edge: EdgeView;
  readonly source: number;
}

export function checkJoins(view: FlowView, graph: FlowGraph): FlowProblem[] {
  const start = graph.start;
  if (start === undefined) return [];
  const problems: FlowProblem[] = [];
  const indexOf = (id: string | undefined) => (id === undefined ? -1 : (view.byId.get(id)?.index ?? -1));
  const placed = view.nodes.filter((n) => n.id !== undefined && view.byId.get(n.id) === n);
  const idom = immediateDominators(graph, start);
  const forks = forkLanes(view, graph);

  for (const join of placed) {
    if (join.type !== 'parallel' || (join.index !== start && idom[join.index] === -1)) continue;
    const incoming: Incoming[] = view.edges
      .filter((e) => indexOf(e.to) === join.index && indexOf(e.from) >= 0)
      .map((edge) => ({ edge, source: indexOf(edge.from) }));
    if (incoming.length < 2) continue;

    const circular = incoming.find((i) => dominates(idom, join.index, i.source));
    if (circular) {
      problems.push(
        problem(
          join.path,
          'JOIN_NEVER_FIRES',
          `parallel join ${join.label} waits for ${circular.edge.label}, which can only be reached through ${join.label} itself; loop back to a node before the join instead`,
        ),
      );
      continue;
    }
    const found = exclusiveIncoming(view, graph, idom, join.index, incoming, forks);
    if (found) {
      const [a, b, x] = found;
      problems.push(
        problem(
          join.path,
          'JOIN_NEVER_FIRES',
          `parallel join ${join.label} waits for both ${a.edge.label} and ${b.edge.label}, but only one of them can be reached: they lie on different paths out of ${x.type} ${x.label}`,
        ),
      );
    }
  }
  return problems;
}

/**
 * Two mutually exclusive incoming edges and the exclusive node that separates them. Only the
 * nearest common dominator of two sources can separate them: through any node above it both
 * sources are reached along the same lanes.
 */
function exclusiveIncoming(
  view: FlowView,
  graph: FlowGraph,
  idom: Int32Array,
  join: number,
  incoming: readonly Incoming[],
  forks: Forks,
): [Incoming, Incoming, NodeView] | undefined {
  for (let a = 0; a < incoming.length; a++) {
    for (let b = a + 1; b < incoming.length; b++) {
      const x = commonDominator(idom, graph.start!, incoming[a].source, incoming[b].source);
      const node = view.nodes[x];
      if (!node || (node.type !== 'decision' && node.type !== 'race')) continue;
      if (!disjointLanes(view, graph, x, join, incoming[a], incoming[b])) continue;
      if (mayHoldTwoTokens(graph, x, join, forks)) continue;
      return [incoming[a], incoming[b], node];
    }
  }
  return undefined;
}

/** Whether `x` reaches the two edges through disjoint sets of its outgoing edges (not passing `x` or the join). */
function disjointLanes(view: FlowView, graph: FlowGraph, x: number, join: number, one: Incoming, other: Incoming): boolean {
  const xId = view.nodes[x].id;
  const blocked = (n: number) => n === x || n === join;
  const outs = view.edges
    .filter((e) => e.from === xId && e.to !== undefined && view.byId.has(e.to))
    .map((edge) => {
      const target = view.byId.get(edge.to!)!.index;
      return { edge, reach: blocked(target) ? undefined : reachableFrom(graph, [target], blocked) };
    });
  const lanes = (i: Incoming) => new Set(outs.filter((o) => o.edge === i.edge || o.reach?.[i.source]).map((o) => o.edge.index));
  const first = lanes(one);
  const second = lanes(other);
  return first.size > 0 && second.size > 0 && [...first].every((lane) => !second.has(lane));
}

/**
 * Nodes that may put several tokens in flight, with their lanes (distinct successors, boundary
 * targets included): every node with several successors except decisions and races, whose
 * lanes exclude each other. Counting activities and interrupting boundaries too only makes the
 * test more cautious (it can hide a real problem, never invent one).
 */
function forkLanes(view: FlowView, graph: FlowGraph): Forks {
  const forks = new Map<number, number[]>();
  const joins = new Set<number>();
  for (const node of view.nodes) {
    if (node.type === 'decision' || node.type === 'race') continue;
    const lanes = [...new Set(graph.succ[node.index])];
    if (lanes.length > 1) forks.set(node.index, lanes);
    if ((node.type === 'parallel' || node.type === 'inclusive') && graph.pred[node.index].length > 1) joins.add(node.index);
  }
  return { lanes: forks, joins };
}

function mayHoldTwoTokens(graph: FlowGraph, x: number, join: number, forks: Forks): boolean {
  const notJoin = (n: number) => n === join;
  const fromX = reachableFrom(graph, graph.succ[x], notJoin);
  for (const [fork, lanes] of forks.lanes) {
    if (fork === join) continue;
    // A fork after X that loops back to X can send X a second token.
    if (fromX[fork] && reachableFrom(graph, [fork], notJoin)[x]) return true;
    // A fork before X reaching it along two lanes, unless a join merges them on the way.
    const merged = (n: number) => n === join || n === fork || (n !== x && forks.joins.has(n));
    const lanesReachingX = lanes.filter((lane) => reachableFrom(graph, [lane], merged)[x]).length;
    if (lanesReachingX > 1) return true;
  }
  return false;
}
