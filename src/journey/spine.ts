/**
 * A journey's spine, compiled once per flow version: its ux nodes, the first one, and the next
 * step after each (journey edges: the first whose condition holds, else the default). The flow
 * validator has checked the spine's shape (`flow/validate-spine.ts`) when it was published.
 */
import { RequestError } from '../errors.js';
import { compileExpression } from '../expr/index.js';
import type { CompiledExpr } from '../expr/types.js';
import type { FlowDefinition } from '../flow/schema.js';

interface NextStep {
  readonly to: string;
  readonly when?: CompiledExpr;
  readonly isDefault: boolean;
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
  };
}

/** The error for placing an entity anywhere but a ux node of its journey (F6.2). */
export function notAStep(spine: Spine, nodeId: string): RequestError {
  return new RequestError(
    'NOT_A_UX_NODE',
    `'${nodeId}' is not a ux node of journey '${spine.journeyId}': an entity stands at one of ${spine.steps.map((s) => `'${s}'`).join(', ')}`,
    { details: { journeyId: spine.journeyId, nodeId, steps: spine.steps } },
  );
}
