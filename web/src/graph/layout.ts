/**
 * Where each node of a flow goes on screen: elkjs's layered layout, left to right, computed in
 * the browser from the flow's nodes and edges (the same graph the engine compiles).
 */
import type { ELK } from 'elkjs/lib/elk-api';
import type { FlowDefinition } from '../api/types';

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 56;

// elkjs is most of the app's weight: loaded the first time a graph is drawn, in its own chunk.
let elk: Promise<ELK> | undefined;
export const loadElk = () => {
  elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: Elk }) => new Elk());
  return elk;
};

export interface Placed {
  readonly positions: ReadonlyMap<string, { x: number; y: number }>;
}

export async function layoutFlow(definition: FlowDefinition): Promise<Placed> {
  const nodes = definition.nodes ?? [];
  const known = new Set(nodes.map((node) => node.id));
  const graph = await (await loadElk()).layout({
    id: 'flow',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '120',
      'elk.spacing.nodeNode': '32',
    },
    children: nodes.map((node) => ({ id: node.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    // An edge to a node that does not exist is a validation problem, shown apart: not laid out.
    edges: (definition.edges ?? [])
      .filter((edge) => known.has(edge.from) && known.has(edge.to))
      .map((edge, i) => ({ id: `e${i}`, sources: [edge.from], targets: [edge.to] })),
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of graph.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return { positions };
}
