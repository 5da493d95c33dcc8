/**
 * A journey's spine, compiled once per flow version: its ux nodes, the first one, and the next
 * step after each (journey edges: the first whose condition holds, else the default), and the
 * side effects of each (system edges to subflow nodes). The flow validator has checked the
 * spine's shape (`flow/validate-spine.ts`) when it was published.
 */
import { RequestError } from '../errors.js';
import { compileExpression, compileValue } from '../expr/index.js';
import type { CompiledExpr, CompiledValue } from '../expr/types.js';
import type { FlowDefinition } from '../flow/schema.js';
import { FLOW_REF } from '../flow/schema-common.js';

interface NextStep {
  readonly to: string;
  readonly when?: CompiledExpr;
  readonly isDefault: boolean;
}

/** A system edge's target: the flow started, as a side effect, when an entity arrives at the edge's ux node. */
export interface SystemEffect {
  /** The subflow node the system edge leads to. */
  readonly nodeId: string;
  readonly flowId: string;
  readonly version?: number;
  /** The subflow node's `input`, over `entity` and `run.trigger` (like a mapping's). */
  readonly input?: CompiledValue;
}

export interface Spine {
  readonly journeyId: string;
  readonly version: number;
  /** Ux node ids, in the order the flow lists them. */
  readonly steps: readonly string[];
  readonly entry: string;
  isStep(nodeId: string): boolean;
  /** What a condition sees: the entity and the completed run (`run.output`). Undefined: the journey is completed. */
  next(nodeId: string, scope: { entity: unknown; run?: Record<string, unknown>; now: number }): string | undefined;
  /** The side effects of arriving at a ux node, in the order of its system edges. */
  effects(nodeId: string): readonly SystemEffect[];
}

export function compileSpine(journeyId: string, version: number, definition: FlowDefinition): Spine {
  const types = new Map(definition.nodes.map((n) => [n.id, n.type]));
  const steps = definition.nodes.filter((n) => n.type === 'ux').map((n) => n.id);
  if (steps.length === 0) {
    throw new RequestError(
      'NOT_A_JOURNEY',
      `flow '${journeyId}' has no ux node: a journey's steps are ux nodes joined by journey edges`,
    );
  }
  const start = definition.nodes.find((n) => n.type === 'start')?.id;
  const entry = (definition.edges ?? []).find((e) => e.from === start)?.to ?? steps[0];
  const next = new Map<string, NextStep[]>();
  const effects = compileEffects(journeyId, definition);
  (definition.edges ?? []).forEach((edge, i) => {
    if (types.get(edge.from) !== 'ux' || types.get(edge.to) !== 'ux') return;
    const list = next.get(edge.from) ?? [];
    list.push({
      to: edge.to,
      isDefault: edge.default === true,
      ...(edge.when ? { when: compileExpression(edge.when, `journey '${journeyId}' edges[${i}].when`) } : {}),
    });
    next.set(edge.from, list);
  });
  const stepSet = new Set(steps);
  return {
    journeyId,
    version,
    steps,
    entry,
    isStep: (nodeId) => stepSet.has(nodeId),
    next(nodeId, scope) {
      const edges = next.get(nodeId);
      if (!edges) return undefined;
      for (const edge of edges) if (edge.when && edge.when.evaluate(scope) === true) return edge.to;
      return (edges.find((e) => e.isDefault) ?? edges.find((e) => !e.when))?.to;
    },
    effects: (nodeId) => effects.get(nodeId) ?? [],
  };
}

/** System edges from ux nodes to subflow nodes (the validator refuses any other system edge in a journey). */
function compileEffects(journeyId: string, definition: FlowDefinition): Map<string, SystemEffect[]> {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const effects = new Map<string, SystemEffect[]>();
  for (const edge of definition.edges ?? []) {
    const target = byId.get(edge.to);
    if (edge.kind !== 'system' || byId.get(edge.from)?.type !== 'ux' || target?.type !== 'subflow') continue;
    const [, flowId, version] = FLOW_REF.exec(target.flow) ?? [undefined, target.flow, undefined];
    const effect: SystemEffect = {
      nodeId: target.id,
      flowId,
      ...(version === undefined ? {} : { version: Number(version) }),
      ...(target.input === undefined
        ? {}
        : { input: compileValue(target.input, `journey '${journeyId}' node '${target.id}'.input`) }),
    };
    effects.set(edge.from, [...(effects.get(edge.from) ?? []), effect]);
  }
  return effects;
}

/** The error for placing an entity anywhere but a ux node of its journey (F6.2). */
export function notAStep(spine: Spine, nodeId: string): RequestError {
  return new RequestError(
    'NOT_A_UX_NODE',
    `'${nodeId}' is not a ux node of journey '${spine.journeyId}': an entity stands at one of ${spine.steps.map((s) => `'${s}'`).join(', ')}`,
    { details: { journeyId: spine.journeyId, nodeId, steps: spine.steps } },
  );
}
