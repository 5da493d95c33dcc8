/**
 * Where each node of a flow goes on screen: elkjs's layered layout, left to right, computed in
 * the browser from the flow's nodes and edges (the same graph the engine compiles).
 */
import ElkApi, { type ELK } from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { FlowDefinition } from '../api/types';

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 56;

// elkjs is most of the app's weight: it runs in a Web Worker, so that parsing it and laying out
// a graph never hold up the page, started the first time a graph is drawn (or preloaded).
let elk: ELK | undefined;
export const loadElk = (): ELK => {
  elk ??= new ElkApi({ workerUrl: elkWorkerUrl });
  return elk;
};

export interface Placed {
  readonly positions: ReadonlyMap<string, { x: number; y: number }>;
}

export async function layoutFlow(definition: FlowDefinition): Promise<Placed> {
  const nodes = definition.nodes ?? [];
  const known = new Set(nodes.map((node) => node.id));
  const graph = await loadElk().layout({
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
