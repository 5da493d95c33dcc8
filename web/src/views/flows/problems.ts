/** Validation problems pinned to nodes: a problem's path `nodes[3]…` is about the fourth node. */
import type { FlowDefinition, FlowProblem } from '../../api/types';

export function problemsByNode(definition: FlowDefinition, problems: readonly FlowProblem[]): Map<string, string[]> {
  const pinned = new Map<string, string[]>();
  const nodes = definition.nodes ?? [];
  const edges = definition.edges ?? [];
  for (const problem of problems) {
    const node = /^nodes\[(\d+)\]/.exec(problem.path);
    const edge = /^edges\[(\d+)\]/.exec(problem.path);
    const nodeId = node ? nodes[Number(node[1])]?.id : edge ? edges[Number(edge[1])]?.from : undefined;
    if (nodeId === undefined) continue;
    pinned.set(nodeId, [...(pinned.get(nodeId) ?? []), `${problem.path}: ${problem.message}`]);
  }
  return pinned;
}
