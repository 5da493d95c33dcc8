/**
 * A lenient, indexed view of a raw flow object. Semantic checks run on this view rather than
 * on the zod result so that a flow with shape problems still gets its graph, expressions and
 * references checked: every problem is reported at once.
 */

export type RawObject = Record<string, unknown>;

export interface NodeView {
  readonly index: number;
  /** The id, when it is a string. */
  readonly id?: string;
  readonly type?: string;
  readonly raw: RawObject;
  /** `nodes[3]` */
  readonly path: string;
  /** `node 'lookup'` (or `nodes[3]` when it has no id), for messages. */
  readonly label: string;
}

export interface EdgeView {
  readonly index: number;
  readonly from?: string;
  readonly to?: string;
  readonly raw: RawObject;
  readonly path: string;
  readonly label: string;
  readonly isDefault: boolean;
  readonly isTimeout: boolean;
  readonly hasCondition: boolean;
}

export interface FlowView {
  readonly raw: RawObject;
  readonly nodes: readonly NodeView[];
  readonly edges: readonly EdgeView[];
  /** First node with each id (duplicates are reported separately). */
  readonly byId: ReadonlyMap<string, NodeView>;
}

export function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function viewFlow(raw: RawObject): FlowView {
  const rawNodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  const rawEdges = Array.isArray(raw.edges) ? raw.edges : [];
  const nodes = rawNodes.map((value, index): NodeView => {
    const node = isObject(value) ? value : {};
    const id = str(node.id);
    const path = `nodes[${index}]`;
    return { index, id, type: str(node.type), raw: node, path, label: id === undefined ? path : `node '${id}'` };
  });
  const edges = rawEdges.map((value, index): EdgeView => {
    const edge = isObject(value) ? value : {};
    const from = str(edge.from);
    const to = str(edge.to);
    const path = `edges[${index}]`;
    return {
      index,
      from,
      to,
      raw: edge,
      path,
      label: `edge ${path} '${from ?? '?'}' → '${to ?? '?'}'`,
      isDefault: edge.default === true,
      isTimeout: edge.timeout === true,
      hasCondition: typeof edge.when === 'string',
    };
  });
  const byId = new Map<string, NodeView>();
  for (const node of nodes) if (node.id !== undefined && !byId.has(node.id)) byId.set(node.id, node);
  return { raw, nodes, edges, byId };
}

/** Label of whatever `path` points into (`node 'lookup'`, `edge edges[2] …`, `flow`). */
export function labelAt(view: FlowView, segments: readonly PropertyKey[]): string {
  const [head, index] = segments;
  if (head === 'nodes' && typeof index === 'number' && view.nodes[index]) return view.nodes[index].label;
  if (head === 'edges' && typeof index === 'number' && view.edges[index]) return view.edges[index].label;
  return 'flow';
}
