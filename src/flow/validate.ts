/**
 * Flow validation (SPEC F1.3): every problem at once, each with a path, a stable code and a
 * sentence. Shape problems come from the zod schema; the other checks run on a lenient view
 * of the raw object, so a typo in one node does not hide a broken edge in another.
 */
import type { ActionCatalog } from '../actions/action.js';
import { FlowInvalidError, type FlowProblem } from '../errors.js';
import { problem } from './problems.js';
import type { FlowDefinition } from './schema.js';
import { checkExpressions } from './validate-expressions.js';
import { checkGateways } from './validate-gateways.js';
import { checkGraph, graphOf } from './validate-graph.js';
import { checkJoins } from './validate-joins.js';
import { checkReservedKeys } from './validate-keys.js';
import { checkReferences, type FlowCatalog } from './validate-references.js';
import { checkSchemas } from './validate-schemas.js';
import { checkShape } from './validate-shape.js';
import { checkSpine } from './validate-spine.js';
import { isObject, viewFlow } from './view.js';

export interface ValidateContext {
  /** When given, task actions and ai tools must be registered here (UNKNOWN_ACTION). */
  readonly actions?: ActionCatalog;
  /** When given, subflows must exist here (UNKNOWN_SUBFLOW). */
  readonly flows?: FlowCatalog;
}

export interface ValidationResult {
  /** The typed definition — present only when there is no problem at all. */
  readonly flow?: FlowDefinition;
  readonly problems: FlowProblem[];
  /** Legal but suspicious (a split that may find no way on): reported, never refused. */
  readonly warnings: FlowProblem[];
}

/**
 * Checks a parsed flow file and reports every problem at once.
 *
 * @example
 * const { flow, problems } = validateFlow(parseFlowText(text, 'onboarding.yaml'), { actions });
 * for (const p of problems) console.log(`${p.path}: [${p.code}] ${p.message}`);
 */
export function validateFlow(raw: unknown, ctx: ValidateContext = {}): ValidationResult {
  if (!isObject(raw)) {
    const kind = raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw;
    return {
      problems: [problem('', 'SCHEMA', `a flow file must hold an object (format, id, nodes, edges…), not ${kind}`)],
      warnings: [],
    };
  }
  const view = viewFlow(raw);
  const shape = checkShape(raw, view);
  const graph = graphOf(view);
  const gateways = checkGateways(view);
  const problems = [
    ...shape.problems,
    ...checkGraph(view, graph),
    ...gateways.problems,
    ...checkJoins(view, graph),
    ...checkReferences(view, ctx),
    ...checkExpressions(view),
    ...checkSchemas(view),
    ...checkReservedKeys(view),
    ...checkSpine(view),
  ];
  const warnings = byLocation(gateways.warnings);
  if (problems.length === 0 && shape.data) return { flow: shape.data, problems, warnings };
  return { problems: byLocation(problems), warnings };
}

/** Flow-level problems first, then node by node, then edge by edge (stable within each). */
function byLocation(problems: FlowProblem[]): FlowProblem[] {
  const rank = (p: FlowProblem): number => {
    const match = /^(nodes|edges)\[(\d+)\]/.exec(p.path);
    if (!match) return p.path === 'nodes' ? 1 : 0;
    return (match[1] === 'nodes' ? 1 : 1_000_000) + Number(match[2]) + 1;
  };
  return problems
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Like `validateFlow`, but returns the definition or throws one FlowInvalidError carrying
 * every problem.
 *
 * @example
 * const flow = assertValidFlow(raw, { actions }, 'onboarding.yaml');
 */
export function assertValidFlow(raw: unknown, ctx: ValidateContext = {}, sourceName?: string): FlowDefinition {
  const { flow, problems } = validateFlow(raw, ctx);
  if (!flow) throw new FlowInvalidError(problems, sourceName);
  return flow;
}
