/**
 * Graph problems: ids, start and end nodes, edges and boundary targets to unknown nodes,
 * unreachable nodes, dead ends, nodes that can never reach an end, boundaries on nodes that
 * do not take them.
 */
import type { FlowProblem } from '../errors.js';
import { buildGraph, type Graph, reachableFrom, reaching } from './graph.js';
import { didYouMean, problem } from './problems.js';
import { BOUNDARY_NODE_TYPES } from './schema-nodes.js';
import { type EdgeView, type FlowView, isObject } from './view.js';

/** The graph of a (possibly broken) flow: links whose both ends are known nodes. */
export interface FlowGraph extends Graph {
  /** The single start node, when there is exactly one. */
  readonly start?: number;
}

export function graphOf(view: FlowView): FlowGraph {
  const links: [number, number][] = [];
  const indexOf = (id: unknown) => (typeof id === 'string' ? (view.byId.get(id)?.index ?? -1) : -1);
  for (const edge of view.edges) links.push([indexOf(edge.from), indexOf(edge.to)]);
  for (const node of view.nodes) {
    for (const b of boundariesOf(node.raw)) links.push([node.index, indexOf(b.to)]);
  }
  const starts = view.nodes.filter((n) => n.type === 'start');
  return { ...buildGraph(view.nodes.length, links), start: starts.length === 1 ? starts[0].index : undefined };
}

export function boundariesOf(raw: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(raw.boundary) ? raw.boundary.filter(isObject) : [];
}

export function checkGraph(view: FlowView, graph: FlowGraph): FlowProblem[] {
  const problems: FlowProblem[] = [];
  checkIds(view, problems);
  checkEdges(view, problems);
  checkBoundaries(view, problems);
  checkReachability(view, graph, problems);
  return problems;
}

function checkIds(view: FlowView, problems: FlowProblem[]): void {
  const firstAt = new Map<string, number>();
  for (const node of view.nodes) {
    if (node.id === undefined) continue;
    const first = firstAt.get(node.id);
    if (first === undefined) firstAt.set(node.id, node.index);
    else
      problems.push(
        problem(`${node.path}.id`, 'DUPLICATE_ID', `node id '${node.id}' is used twice: by nodes[${first}] and ${node.path}`),
      );
  }
  const starts = view.nodes.filter((n) => n.type === 'start');
  if (starts.length === 0 && view.nodes.length > 0) {
    problems.push(problem('nodes', 'NO_START', 'the flow has no start node; add `{ id: start, type: start }`'));
  }
  for (const extra of starts.slice(1)) {
    problems.push(
      problem(
        extra.path,
        'MULTIPLE_START',
        `${extra.label} is a second start node (the first is ${starts[0].label}); a flow has exactly one`,
      ),
    );
  }
}

function checkEdges(view: FlowView, problems: FlowProblem[]): void {
  const ids = [...view.byId.keys()];
  for (const edge of view.edges) {
    for (const end of ['from', 'to'] as const) {
      const id = edge[end];
      if (id === undefined || view.byId.has(id)) continue;
      problems.push(
        problem(
          `${edge.path}.${end}`,
          'UNKNOWN_NODE',
          `${edge.label} ${end === 'from' ? 'leaves' : 'leads to'} unknown node '${id}'${didYouMean(id, ids)}`,
        ),
      );
    }
    const source = edge.from === undefined ? undefined : view.byId.get(edge.from);
    const target = edge.to === undefined ? undefined : view.byId.get(edge.to);
    if (target?.type === 'start') {
      problems.push(
        problem(
          `${edge.path}.to`,
          'START_HAS_INCOMING',
          `${edge.label} leads into start node '${target.id}'; nothing may enter the start node`,
        ),
      );
    }
    if (source?.type === 'end') {
      problems.push(
        problem(
          `${edge.path}.from`,
          'END_HAS_OUTGOING',
          `${edge.label} leaves end node '${source.id}'; an end node has no outgoing edges`,
        ),
      );
    }
  }
}

function checkBoundaries(view: FlowView, problems: FlowProblem[]): void {
  const ids = [...view.byId.keys()];
  for (const node of view.nodes) {
    if (node.raw.boundary === undefined) continue;
    if (!BOUNDARY_NODE_TYPES.has(node.type ?? '')) {
      problems.push(
        problem(
          `${node.path}.boundary`,
          'BOUNDARY_NOT_ALLOWED',
          `${node.label} is a ${node.type ?? 'node without type'}; boundary events attach only to task, ai, wait, map and subflow nodes`,
        ),
      );
      continue;
    }
    boundariesOf(node.raw).forEach((b, k) => {
      if (typeof b.to !== 'string' || view.byId.has(b.to)) return;
      problems.push(
        problem(
          `${node.path}.boundary[${k}].to`,
          'UNKNOWN_NODE',
          `${node.label} has a boundary event leading to unknown node '${b.to}'${didYouMean(b.to, ids)}`,
        ),
      );
    });
  }
}

function checkReachability(view: FlowView, graph: FlowGraph, problems: FlowProblem[]): void {
  // Nodes with a duplicate or missing id have their own problem; edges cannot address them.
  const placed = view.nodes.filter((n) => n.id !== undefined && view.byId.get(n.id) === n);
  const leavesBy = new Map<string, EdgeView[]>();
  for (const edge of view.edges) if (edge.from !== undefined) leavesBy.set(edge.from, [...(leavesBy.get(edge.from) ?? []), edge]);
  for (const node of placed) {
    const exempt = node.type === 'end' || node.type === 'ux' || node.type === undefined;
    const leaves = leavesBy.get(node.id!) ?? [];
    if (!exempt && leaves.every((e) => e.isTimeout)) {
      problems.push(
        problem(
          node.path,
          'DEAD_END',
          leaves.length === 0
            ? `${node.label} has no outgoing edge; connect it to the next node or to an end node`
            : `${node.label} has only a timeout edge; add an edge for when it completes normally`,
        ),
      );
    }
  }
  if (graph.start === undefined) return;
  const reached = reachableFrom(graph, [graph.start]);
  for (const node of placed) {
    if (!reached[node.index]) {
      problems.push(problem(node.path, 'UNREACHABLE_NODE', `${node.label} cannot be reached from the start node`));
    }
  }
  // Paths stop at end nodes, at ux leaves (a journey's last step completes it, F6.4) and at
  // nodes that already have a DEAD_END or UNKNOWN_NODE problem, so one mistake is reported once.
  const stops = placed
    .filter((n) => {
      const leaves = leavesBy.get(n.id!);
      return (
        n.type === 'end' ||
        !leaves ||
        leaves.every((e) => e.isTimeout) ||
        leaves.some((e) => e.to === undefined || !view.byId.has(e.to))
      );
    })
    .map((n) => n.index);
  const canStop = reaching(graph, stops);
  for (const node of placed) {
    if (reached[node.index] && !canStop[node.index]) {
      problems.push(
        problem(
          node.path,
          'NO_PATH_TO_END',
          `${node.label} can never reach an end node: every path from it loops without a way out`,
        ),
      );
    }
  }
}
