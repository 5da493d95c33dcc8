/**
 * Journey flows (F6.1): `ux` nodes joined by `journey` edges form the spine an entity walks;
 * `system` edges lead from a ux node to the work it triggers. The graph checks (a start, every
 * node reachable, ends) already hold for every flow; these are the spine's own rules.
 */
import type { FlowProblem } from '../errors.js';
import { problem } from './problems.js';
import type { EdgeView, FlowView } from './view.js';

/**
 * A flow is a journey when it has a journey edge. A ux node in a flow without one is a step like
 * any other, carried out by its executor (F1.1), and keeps the ordinary rules.
 */
export function isJourneyView(view: FlowView): boolean {
  return view.edges.some((e) => e.raw.kind === 'journey');
}

export function checkSpine(view: FlowView): FlowProblem[] {
  if (!isJourneyView(view)) return [];
  const problems: FlowProblem[] = [];
  const typeOf = (id: string | undefined) => (id === undefined ? undefined : view.byId.get(id)?.type);
  const spine: EdgeView[] = [];
  for (const edge of view.edges) {
    const from = typeOf(edge.from);
    const to = typeOf(edge.to);
    if (from === undefined || to === undefined) continue; // UNKNOWN_NODE is reported by the graph check
    if (edge.raw.kind === 'system') {
      // In a journey, the work is a flow started when an entity arrives at the ux node (journey/spine.ts).
      if (from !== 'ux' || to !== 'subflow') {
        problems.push(
          problem(
            `${edge.path}.kind`,
            'JOURNEY_EDGE',
            `${edge.label} is a system edge: it must lead from a ux node to a subflow node (the flow started when an entity arrives there)`,
          ),
        );
      }
      continue;
    }
    const entry = from === 'start' && to === 'ux';
    if (edge.raw.kind === 'journey' && !entry && (from !== 'ux' || to !== 'ux')) {
      problems.push(problem(`${edge.path}.kind`, 'JOURNEY_EDGE', `${edge.label} is a journey edge: it may only join ux nodes`));
      continue;
    }
    if (from === 'ux' && to === 'ux') spine.push(edge);
    else if (from === 'ux' && edge.raw.kind !== 'journey') {
      problems.push(
        problem(
          `${edge.path}.kind`,
          'JOURNEY_EDGE',
          `${edge.label} leaves a ux node: mark it \`kind: journey\` (to a ux node) or \`kind: system\``,
        ),
      );
    }
  }
  checkEntry(view, problems);
  checkChoices(view, spine, problems);
  return problems;
}

/** The entity's first step: the start node leads to exactly one ux node. */
function checkEntry(view: FlowView, problems: FlowProblem[]): void {
  const start = view.nodes.find((n) => n.type === 'start');
  if (!start?.id) return; // NO_START is reported by the graph check
  const leaves = view.edges.filter((e) => e.from === start.id);
  if (leaves.length !== 1 || view.byId.get(leaves[0].to ?? '')?.type !== 'ux') {
    problems.push(problem(start.path, 'JOURNEY_ENTRY', `${start.label} of a journey must have one edge, to the first ux node`));
  }
}

/** Several next steps: each but one default has a condition, and there is one default. */
function checkChoices(view: FlowView, spine: readonly EdgeView[], problems: FlowProblem[]): void {
  const bySource = new Map<string, EdgeView[]>();
  for (const edge of spine) bySource.set(edge.from!, [...(bySource.get(edge.from!) ?? []), edge]);
  for (const [source, edges] of bySource) {
    if (edges.length < 2) continue;
    const label = view.byId.get(source)?.label ?? source;
    const defaults = edges.filter((e) => e.isDefault);
    if (defaults.length !== 1) {
      const at = defaults.length === 0 ? view.byId.get(source)!.path : `${defaults[1].path}.default`;
      problems.push(
        problem(
          at,
          'DECISION_WITHOUT_DEFAULT',
          `${label} has ${edges.length} next steps: mark exactly one edge \`default: true\` (has ${defaults.length})`,
        ),
      );
    }
    for (const edge of edges) {
      if (!edge.isDefault && !edge.hasCondition) {
        problems.push(
          problem(
            edge.path,
            'MISSING_CONDITION',
            `${edge.label} is one of several next steps of ${label}: give it a \`when\` condition or make it the default`,
          ),
        );
      }
    }
  }
}
