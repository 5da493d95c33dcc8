/**
 * A left-to-right layout of a flow's graph (elkjs, layered): a box per node and waypoints per
 * edge. BPMN export draws its diagram with it; the web UI draws the same graph with it.
 *
 * @example
 * const { nodes, edges } = await layoutGraph({ nodes: [{ id: 'a', type: 'start' }, …], edges: [{ from: 'a', to: 'b' }] });
 * nodes.get('a') // { x, y, width, height }
 */

import elkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge } from 'elkjs/lib/elk-api.js';
import type { CompiledFlow } from '../flow/compiled.js';

export interface LayoutNode {
  readonly id: string;
  readonly type: string;
}
export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
export interface Point {
  readonly x: number;
  readonly y: number;
}
export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, Box>;
  /** Waypoints of edge i (same order as given), from the source's border to the target's. */
  readonly edges: readonly (readonly Point[])[];
}

const EVENT = 36;
const GATEWAY = 50;
const ACTIVITY = { width: 100, height: 80 };

/** The size BPMN tools draw a node of this type at. */
export function sizeOf(type: string): { width: number; height: number } {
  if (type === 'start' || type === 'end' || type === 'timer') return { width: EVENT, height: EVENT };
  if (type === 'decision' || type === 'parallel' || type === 'inclusive' || type === 'race')
    return { width: GATEWAY, height: GATEWAY };
  return ACTIVITY;
}

// A CommonJS module: its constructor is the default export at run time, whatever the types say.
type ElkConstructor = typeof elkModule.default;
const ELK = ((elkModule as unknown as { default?: ElkConstructor }).default ?? elkModule) as ElkConstructor;
const elk = new ELK();

export async function layoutGraph(graph: { nodes: readonly LayoutNode[]; edges: readonly LayoutEdge[] }): Promise<GraphLayout> {
  const result = await elk.layout({
    id: 'flow',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.spacing.nodeNode': '40',
    },
    children: graph.nodes.map((node) => ({ id: node.id, ...sizeOf(node.type) })),
    edges: graph.edges.map((edge, i) => ({ id: `e${i}`, sources: [edge.from], targets: [edge.to] })),
  });
  const nodes = new Map<string, Box>();
  for (const child of result.children ?? []) {
    nodes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 });
  }
  const edges: Point[][] = graph.edges.map(() => []);
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) {
    const i = Number(edge.id.slice(1));
    const section = edge.sections?.[0];
    if (section) edges[i] = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
  }
  // An edge elk gave no route (it should not happen) goes straight from centre to centre.
  graph.edges.forEach((edge, i) => {
    if (edges[i].length > 0) return;
    const a = nodes.get(edge.from);
    const b = nodes.get(edge.to);
    if (a && b) edges[i] = [centre(a), centre(b)];
  });
  return { nodes, edges };
}

export function centre(box: Box): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The layout of a compiled flow (its nodes by id, its edges in order). */
export function layoutFlow(flow: CompiledFlow): Promise<GraphLayout> {
  return layoutGraph({
    nodes: flow.nodes.map((node) => ({ id: node.id, type: node.type })),
    edges: flow.edges.map((edge) => ({ from: flow.nodes[edge.from].id, to: flow.nodes[edge.to].id })),
  });
}
