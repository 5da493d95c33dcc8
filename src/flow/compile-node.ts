/**
 * One flow-file node → one CompiledNode. Durations become ms, expressions and schemas are
 * compiled, retry/timeout/cost are resolved against the action and the flow defaults.
 */
import type { ActionCatalog } from '../actions/action.js';
import { RunloomError } from '../errors.js';
import { compileExpression, compileTemplate, compileValue, isExpression, RESERVED_KEYS } from '../expr/index.js';
import { aiStepInput } from './ai-step-input.js';
import { costEstimator, resolveRetry } from './compile-settings.js';
import type { ActivityNode, AiEstimator, CompiledBoundary, CompiledNode, MapBody, RetryPolicy, SubflowNode } from './compiled.js';
import { type Duration, parseDuration } from './duration.js';
import { arrivalScopeOf, type Graph } from './graph.js';
import { compileSchemaCheck } from './json-schema.js';
import type { BoundaryDefinition, MapBodyDefinition, NodeDefinition, RetryDefinition } from './schema.js';
import { FLOW_REF } from './schema-common.js';

export interface NodeCompileContext {
  readonly actions?: ActionCatalog;
  readonly estimateAi?: AiEstimator;
  readonly graph: Graph;
  /** Immediate dominators from the start node (for join arrival scopes). */
  readonly idom: Int32Array;
  readonly outgoing: readonly (readonly number[])[];
  readonly incoming: readonly (readonly number[])[];
  /** Index of a node id; throws when unknown. */
  indexOf(id: string, path: string): number;
  readonly flowRetry?: RetryDefinition;
  readonly maxParallel: number;
  /** The flow's default strategy of ai steps and whether callers may override it (F4.3). */
  readonly flowStrategy?: string;
  readonly allowStrategyOverride: boolean;
}

/** Fields that several node types share, read without narrowing the union. */
type Loose = NodeDefinition & { output?: string; timeout?: Duration; retry?: RetryDefinition; boundary?: BoundaryDefinition[] };

const NONE: readonly number[] = [];

/**
 * The engine writes `steps[id]` and `vars[…output]` with plain assignment: validation refuses
 * reserved names, and so does compile, which every flow the engine runs goes through (stored
 * versions included).
 */
function refuseReservedNames(id: string, output: string | undefined, path: string): void {
  const names = [id, ...(output?.split('.') ?? [])];
  const reserved = names.find((name) => RESERVED_KEYS.has(name));
  if (reserved === undefined) return;
  const where = reserved === id ? `${path}.id` : `${path}.output`;
  throw new RunloomError('RESERVED_KEY', `${where}: \`${reserved}\` is reserved and cannot name a node or an output`, {
    details: { where },
  });
}

export function compileNode(node: NodeDefinition, index: number, ctx: NodeCompileContext): CompiledNode {
  const loose = node as Loose;
  const path = `nodes[${index}]`;
  const label = `node '${node.id}'`;
  refuseReservedNames(node.id, loose.output, path);
  const base = {
    index,
    id: node.id,
    name: node.name,
    outgoing: ctx.outgoing[index],
    incoming: ctx.incoming[index],
    output: loose.output,
    ...((node.type === 'task' || node.type === 'subflow') && node.mergeOutput ? { mergeOutput: true } : {}),
    retry: resolveRetry(`${path}.retry`, ctx.flowRetry, loose.retry),
    timeout: node.type === 'wait' || loose.timeout === undefined ? undefined : parseDuration(loose.timeout, `${path}.timeout`),
    boundaries: (loose.boundary ?? []).map((b, k) => compileBoundary(b, k, `${path}.boundary[${k}]`, ctx)),
    weight: node.weight ?? 1,
    raw: node as Readonly<Record<string, unknown>>,
  };
  switch (node.type) {
    case 'start':
      return { ...base, type: 'start' };
    case 'end':
      return { ...base, type: 'end', terminate: node.terminate ?? false };
    case 'task':
    case 'ai':
    case 'ux':
      return { ...base, ...compileActivity(node, label, ctx, base.retry, base.timeout) };
    case 'decision':
      return {
        ...base,
        type: 'decision',
        mode: node.mode ?? 'auto',
        prompt: node.prompt === undefined ? undefined : compileTemplate(node.prompt, `${label} prompt`),
      };
    case 'parallel':
    case 'inclusive':
      return { ...base, type: node.type, upstream: arrivalScopeOf(ctx.graph, ctx.idom, index) };
    case 'race':
      return { ...base, type: 'race' };
    case 'map':
      return {
        ...base,
        type: 'map',
        items: compileExpression(
          typeof node.items === 'string' ? node.items.slice(1) : JSON.stringify(node.items),
          `${label} items`,
        ),
        concurrency: node.concurrency ?? ctx.maxParallel,
        body: compileMapBody(node.do, node.id, ctx),
      };
    case 'wait':
      return {
        ...base,
        type: 'wait',
        signal: node.signal,
        check: node.schema === undefined ? undefined : compileSchemaCheck(node.schema),
        waitTimeout: node.timeout === undefined ? undefined : parseDuration(node.timeout, `${path}.timeout`),
      };
    case 'timer':
      return {
        ...base,
        type: 'timer',
        duration: node.duration === undefined ? undefined : parseDuration(node.duration, `${path}.duration`),
        // A literal date is compiled as a string literal so the engine sees one kind of `until`.
        until:
          node.until === undefined
            ? undefined
            : compileExpression(isExpression(node.until) ? node.until.slice(1) : JSON.stringify(node.until), `${label} until`),
        cron: node.cron,
      };
    case 'subflow':
      return { ...base, ...compileSubflow(node, label) };
  }
}

type ActivityFields = Pick<
  ActivityNode,
  'type' | 'action' | 'webhook' | 'input' | 'prompt' | 'estimateCost' | 'retry' | 'timeout'
>;

/**
 * Task, ai and ux specifics. For tasks the action's retry and timeout sit between the flow
 * default and the node: node > action > flow default > built-in.
 */
function compileActivity(
  node: Extract<NodeDefinition | MapBodyDefinition, { type: 'task' | 'ai' | 'ux' }>,
  label: string,
  ctx: NodeCompileContext,
  retry: RetryPolicy,
  timeout: number | undefined,
): ActivityFields {
  const input = compileValue(node.input ?? {}, `${label} input`);
  if (node.type === 'task') {
    const action = node.action === undefined ? undefined : ctx.actions?.get(node.action);
    return {
      type: 'task',
      action: node.action,
      webhook: node.webhook,
      input,
      estimateCost: costEstimator(node.cost, action),
      retry: action?.retry ? resolveRetry(label, ctx.flowRetry, action.retry, node.retry) : retry,
      timeout: timeout ?? action?.timeout,
      ...(action?.redact ? { loggedInput: action.redact } : {}),
    };
  }
  if (node.type === 'ai') {
    const prompt = typeof node.prompt === 'string' ? compileTemplate(node.prompt, `${label} prompt`) : undefined;
    const system = typeof node.system === 'string' ? compileTemplate(node.system, `${label} system`) : undefined;
    return {
      type: 'ai',
      input: aiStepInput({
        input,
        prompt,
        system,
        nodeStrategy: node.strategy,
        flowStrategy: ctx.flowStrategy,
        allowOverride: ctx.allowStrategyOverride,
      }),
      prompt,
      estimateCost: aiEstimate(node, ctx.estimateAi),
      retry,
      timeout,
    };
  }
  return { type: 'ux', input, estimateCost: costEstimator(undefined, undefined), retry, timeout };
}

/** A node's own `cost` wins; else the estimator's figure for the step's input, if any. */
function aiEstimate(node: { cost?: unknown }, estimate: AiEstimator | undefined): (input: unknown) => number {
  if (typeof node.cost === 'number' || !estimate) return costEstimator(node.cost as number | undefined, undefined);
  const raw = node as Readonly<Record<string, unknown>>;
  return (input) => {
    const credits = estimate(raw, input);
    return Number.isFinite(credits) && credits > 0 ? credits : 0;
  };
}

function compileSubflow(node: Extract<NodeDefinition | MapBodyDefinition, { type: 'subflow' }>, label: string) {
  const [, flow, version] = FLOW_REF.exec(node.flow) ?? [undefined, node.flow, undefined];
  return {
    type: 'subflow' as const,
    flow,
    version: version === undefined ? undefined : Number(version),
    input: compileValue(node.input ?? {}, `${label} input`),
    strategy: node.strategy,
  };
}

/** A map's `do`, compiled as a node of its own: index -1, id `<map>.do`, no edges. */
function compileMapBody(body: MapBodyDefinition, mapId: string, ctx: NodeCompileContext): MapBody {
  const id = `${mapId}.do`;
  const label = `node '${id}'`;
  const path = `node '${mapId}' do`;
  const retry = resolveRetry(`${path}.retry`, ctx.flowRetry, body.retry);
  const timeout = body.timeout === undefined ? undefined : parseDuration(body.timeout, `${path}.timeout`);
  const base = {
    index: -1,
    id,
    name: body.name,
    outgoing: NONE,
    incoming: NONE,
    boundaries: [],
    weight: 1,
    raw: body as Readonly<Record<string, unknown>>,
  };
  if (body.type === 'subflow') {
    const node: SubflowNode = { ...base, ...compileSubflow(body, label), retry, timeout };
    return node;
  }
  const node: ActivityNode = { ...base, ...compileActivity(body, label, ctx, retry, timeout) };
  return node;
}

function compileBoundary(b: BoundaryDefinition, index: number, path: string, ctx: NodeCompileContext): CompiledBoundary {
  const to = ctx.indexOf(b.to, `${path}.to`);
  switch (b.on) {
    case 'error':
      return { index, on: 'error', code: b.code, to, interrupting: true };
    case 'timer':
      return { index, on: 'timer', after: parseDuration(b.after, `${path}.after`), to, interrupting: b.interrupting ?? true };
    case 'signal':
      return { index, on: 'signal', signal: b.signal, to, interrupting: b.interrupting ?? true };
  }
}
