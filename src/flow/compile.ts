/**
 * Compile once (ARCHITECTURE): a validated flow definition becomes an immutable, index-based
 * CompiledFlow — adjacency by index in file order, join upstream sets, expressions, schemas,
 * durations in ms, retry/limits resolved. The engine's hot path reads nothing else.
 */
import type { ActionCatalog } from '../actions/action.js';
import { FlowInvalidError } from '../errors.js';
import { compileExpression, compileValue } from '../expr/index.js';
import { compileNode } from './compile-node.js';
import { resolveLimits, resolveOnLimit } from './compile-settings.js';
import type { AiEstimator, CompiledEdge, CompiledFlow, CompiledNode } from './compiled.js';
import { buildGraph, immediateDominators } from './graph.js';
import { compileSchemaCheck } from './json-schema.js';
import { problem } from './problems.js';
import type { FlowDefinition } from './schema.js';

export interface CompileContext {
  /** Actions give tasks their default retry, timeout and cost. */
  readonly actions?: ActionCatalog;
  /**
   * Credits an ai step is expected to cost for the input it receives (its rendered prompt),
   * reserved against maxCredits before it starts; absent, an ai step's estimate is its `cost`.
   */
  readonly estimateAi?: AiEstimator;
}

/**
 * Compiles a definition that passed `validateFlow` (see `loadFlow` for parse + validate +
 * compile in one call).
 *
 * @example
 * const compiled = compileFlow(assertValidFlow(raw, { actions }), 1, { actions });
 * compiled.nodes[compiled.start].outgoing // edge indices leaving the start node
 * @throws FlowInvalidError when an edge or boundary names an unknown node (an unvalidated definition).
 */
export function compileFlow(def: FlowDefinition, version: number, ctx: CompileContext = {}): CompiledFlow {
  const nodeIndex = new Map<string, number>();
  def.nodes.forEach((node, i) => {
    if (!nodeIndex.has(node.id)) nodeIndex.set(node.id, i);
  });
  const indexOf = (id: string, path: string): number => {
    const index = nodeIndex.get(id);
    if (index === undefined) throw new FlowInvalidError([problem(path, 'UNKNOWN_NODE', `unknown node '${id}'`)], def.id);
    return index;
  };

  const edges: CompiledEdge[] = (def.edges ?? []).map((edge, index) => ({
    index,
    from: indexOf(edge.from, `edges[${index}].from`),
    to: indexOf(edge.to, `edges[${index}].to`),
    when: edge.when === undefined ? undefined : compileExpression(edge.when, `edge '${edge.from}' → '${edge.to}' when`),
    isDefault: edge.default ?? false,
    isTimeout: edge.timeout ?? false,
    kind: edge.kind ?? 'flow',
  }));
  const outgoing: number[][] = def.nodes.map(() => []);
  const incoming: number[][] = def.nodes.map(() => []);
  for (const edge of edges) {
    outgoing[edge.from].push(edge.index);
    incoming[edge.to].push(edge.index);
  }
  const links: [number, number][] = edges.map((e) => [e.from, e.to]);
  def.nodes.forEach((node, i) => {
    if ('boundary' in node && Array.isArray(node.boundary)) {
      node.boundary.forEach((b, k) => {
        links.push([i, indexOf(b.to, `nodes[${i}].boundary[${k}].to`)]);
      });
    }
  });
  const graph = buildGraph(def.nodes.length, links);
  const start = def.nodes.findIndex((n) => n.type === 'start');
  if (start < 0) throw new FlowInvalidError([problem('nodes', 'NO_START', 'the flow has no start node')], def.id);

  const limits = resolveLimits(def.defaults);
  const nodeCtx = {
    actions: ctx.actions,
    estimateAi: ctx.estimateAi,
    graph,
    idom: immediateDominators(graph, start),
    outgoing,
    incoming,
    indexOf,
    flowRetry: def.defaults?.retry,
    maxParallel: limits.maxParallel,
    flowStrategy: def.defaults?.strategy,
    allowStrategyOverride: def.defaults?.allowStrategyOverride ?? true,
  };
  const nodes: CompiledNode[] = def.nodes.map((node, i) => compileNode(node, i, nodeCtx));

  return {
    id: def.id,
    version,
    name: def.name,
    nodes,
    edges,
    nodeIndex,
    start,
    limits,
    onLimit: resolveOnLimit(def.defaults),
    onBranchFailure: def.defaults?.onBranchFailure ?? 'stop',
    strategy: def.defaults?.strategy,
    allowStrategyOverride: def.defaults?.allowStrategyOverride ?? true,
    checkInput: def.inputs === undefined ? undefined : compileSchemaCheck(def.inputs),
    checkOutput: def.outputs === undefined ? undefined : compileSchemaCheck(def.outputs),
    output: def.output === undefined ? undefined : compileValue(def.output, `flow '${def.id}' output`),
    definition: def as Readonly<Record<string, unknown>>,
  };
}
