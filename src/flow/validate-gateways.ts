/**
 * Gateway and edge-marker problems.
 *
 * The decision rule: an `auto` decision takes the first edge whose `when` holds, in file order,
 * else its default edge (F2.2):
 * - with one outgoing edge, that edge may be plain (no `when`): it is always taken;
 * - with more, every edge but the default needs a `when` (else MISSING_CONDITION: a plain edge
 *   would silently shadow the ones after it), and at most one edge is `default: true`
 *   (MULTIPLE_DEFAULTS);
 * - a default edge has no `when` (DEFAULT_WITH_CONDITION).
 * A decision or inclusive split whose edges are all conditional is valid, as in BPMN (real
 * diagrams do it): when no condition holds at run time the branch fails with NO_PATH naming the
 * node. Validation only warns (DECISION_WITHOUT_DEFAULT). Manual decisions need no conditions
 * (a person picks the edge).
 */
import type { FlowProblem } from '../errors.js';
import { problem } from './problems.js';
import type { EdgeView, FlowView, NodeView } from './view.js';

export interface GatewayFindings {
  readonly problems: FlowProblem[];
  /** Legal but worth a look: splits that can find no way on (NO_PATH at run time). */
  readonly warnings: FlowProblem[];
}

export function checkGateways(view: FlowView): GatewayFindings {
  const problems: FlowProblem[] = [];
  const warnings: FlowProblem[] = [];
  const leaving = new Map<string, EdgeView[]>();
  for (const edge of view.edges) if (edge.from !== undefined) leaving.set(edge.from, [...(leaving.get(edge.from) ?? []), edge]);

  for (const node of view.nodes) {
    if (node.id === undefined || view.byId.get(node.id) !== node) continue;
    const out = leaving.get(node.id) ?? [];
    checkDefaults(node, out, problems);
    if (node.type === 'decision') checkDecision(node, out, problems, warnings);
    if (node.type === 'inclusive') checkInclusive(node, out, warnings);
    if (node.type === 'race') checkRace(view, node, out, problems);
  }
  for (const edge of view.edges) {
    if (!edge.isTimeout) continue;
    const source = edge.from === undefined ? undefined : view.byId.get(edge.from);
    if (!source) continue;
    if (source.type !== 'wait' || source.raw.timeout === undefined) {
      problems.push(
        problem(
          `${edge.path}.timeout`,
          'TIMEOUT_EDGE_SOURCE',
          source.type === 'wait'
            ? `${edge.label} is a timeout edge but wait ${source.label} has no \`timeout\``
            : `${edge.label} is a timeout edge but ${source.label} is a ${source.type}; only wait nodes with a \`timeout\` have timeout edges`,
        ),
      );
    }
  }
  return { problems, warnings };
}

function checkDefaults(node: NodeView, out: readonly EdgeView[], problems: FlowProblem[]): void {
  const defaults = out.filter((e) => e.isDefault);
  for (const extra of defaults.slice(1)) {
    problems.push(
      problem(
        `${extra.path}.default`,
        'MULTIPLE_DEFAULTS',
        `${node.label} has more than one default edge (${defaults[0].path} and ${extra.path})`,
      ),
    );
  }
  for (const edge of defaults) {
    if (edge.hasCondition) {
      problems.push(
        problem(
          `${edge.path}.when`,
          'DEFAULT_WITH_CONDITION',
          `${edge.label} is the default edge of ${node.label} and also has a \`when\`; remove one`,
        ),
      );
    }
  }
  const timeouts = out.filter((e) => e.isTimeout);
  for (const extra of timeouts.slice(1)) {
    problems.push(
      problem(
        `${extra.path}.timeout`,
        'MULTIPLE_TIMEOUT_EDGES',
        `${node.label} has more than one timeout edge (${timeouts[0].path} and ${extra.path})`,
      ),
    );
  }
}

function checkDecision(node: NodeView, out: readonly EdgeView[], problems: FlowProblem[], warnings: FlowProblem[]): void {
  if (node.raw.mode === 'ai') {
    // The model picks any edge: conditions are context for it, not rules, so none are required.
    if (out.filter((e) => !e.isTimeout).length < 2) {
      problems.push(
        problem(
          `${node.path}.mode`,
          'AI_DECISION_NO_CHOICE',
          `${node.label} decides with a model but has fewer than two edges to choose from`,
        ),
      );
    }
    return;
  }
  if (node.raw.mode === 'manual' || out.length === 0) return;
  // Timeout edges are not chosen by conditions; ignore them here.
  const choices = out.filter((e) => !e.isTimeout);
  if (choices.length === 1 && !choices[0].hasCondition) return;
  for (const edge of choices) {
    if (!edge.hasCondition && !edge.isDefault) {
      problems.push(
        problem(
          edge.path,
          'MISSING_CONDITION',
          `${edge.label} leaves decision ${node.label} without a \`when\`; add a condition or mark it \`default: true\``,
        ),
      );
    }
  }
  if (choices.every((e) => e.hasCondition && !e.isDefault)) {
    warnings.push(
      problem(
        node.path,
        'DECISION_WITHOUT_DEFAULT',
        `decision ${node.label} has no default edge: when none of its conditions holds the branch fails with NO_PATH`,
      ),
    );
  }
}

function checkInclusive(node: NodeView, out: readonly EdgeView[], warnings: FlowProblem[]): void {
  const choices = out.filter((e) => !e.isTimeout);
  if (choices.length === 0) return;
  if (choices.every((e) => e.hasCondition && !e.isDefault)) {
    warnings.push(
      problem(
        node.path,
        'DECISION_WITHOUT_DEFAULT',
        `inclusive ${node.label} has only conditional edges: when none holds the branch fails with NO_PATH`,
      ),
    );
  }
}

function checkRace(view: FlowView, node: NodeView, out: readonly EdgeView[], problems: FlowProblem[]): void {
  for (const edge of out) {
    const target = edge.to === undefined ? undefined : view.byId.get(edge.to);
    if (!target || target.type === 'wait' || target.type === 'timer') continue;
    problems.push(
      problem(
        `${edge.path}.to`,
        'RACE_TARGET',
        `race ${node.label} leads to ${target.label}, a ${target.type}; a race's edges must lead to wait or timer nodes (the first to fire wins)`,
      ),
    );
  }
}
