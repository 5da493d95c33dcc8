/**
 * Where a token must stand to still count as "on its way" to a join for the join's current
 * activation: upstream of the join AND inside the region of the join's immediate dominator
 * (the split that opened the block, in a block-structured flow), the dominator itself excluded.
 *
 * Why not every upstream node: in a loop, nodes after the join lead back to it, so a token
 * parked at an outer AND-join (or any token past the block) looks "upstream" although it can
 * only get there by passing the dominator again — i.e. in a later activation. Counting it made
 * an inclusive join inside a loop wait forever for a branch its split never activated (the run
 * then failed with `deadlock`). A node outside the dominator's region cannot reach the join
 * without passing the dominator (else the dominator would not dominate the join), so such a
 * token always belongs to a later activation.
 *
 * Computed once per compiled flow and join, then cached (the flow is immutable). It belongs in
 * `compileFlow` next to `upstream`; it lives here until src/flow/ takes it over.
 */
import type { CompiledFlow, InclusiveNode, ParallelNode } from '../flow/compiled.js';
import { buildGraph, type Graph, reachableFrom } from '../flow/graph.js';

const scopes = new WeakMap<CompiledFlow, Map<number, Uint8Array>>();

export function arrivalScope(flow: CompiledFlow, join: ParallelNode | InclusiveNode): Uint8Array {
  let perFlow = scopes.get(flow);
  if (!perFlow) {
    perFlow = new Map();
    scopes.set(flow, perFlow);
  }
  let scope = perFlow.get(join.index);
  if (!scope) {
    scope = computeScope(flow, join);
    perFlow.set(join.index, scope);
  }
  return scope;
}

function graphOf(flow: CompiledFlow): Graph {
  const links: [number, number][] = flow.edges.map((edge) => [edge.from, edge.to]);
  for (const node of flow.nodes) for (const boundary of node.boundaries) links.push([node.index, boundary.to]);
  return buildGraph(flow.nodes.length, links);
}

function computeScope(flow: CompiledFlow, join: ParallelNode | InclusiveNode): Uint8Array {
  const graph = graphOf(flow);
  const all = reachableFrom(graph, [flow.start]);
  // The strict dominators of the join form a chain whose dominated regions nest: the immediate
  // dominator's region is the smallest of them.
  let region: Uint8Array | undefined;
  let regionSize = Number.POSITIVE_INFINITY;
  let idom = -1;
  for (let d = 0; d < graph.size; d++) {
    if (d === join.index || !all[d]) continue;
    const without = reachableFrom(graph, [flow.start], (n) => n === d);
    if (without[join.index]) continue; // d does not dominate the join
    const dominated = new Uint8Array(graph.size);
    let size = 0;
    for (let n = 0; n < graph.size; n++) {
      if (all[n] && !without[n]) {
        dominated[n] = 1;
        size++;
      }
    }
    if (size < regionSize) {
      region = dominated;
      regionSize = size;
      idom = d;
    }
  }
  if (!region) return join.upstream;
  const scope = new Uint8Array(graph.size);
  for (let n = 0; n < graph.size; n++) scope[n] = join.upstream[n] && region[n] && n !== idom ? 1 : 0;
  return scope;
}
