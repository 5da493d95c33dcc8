/**
 * Standard loop characteristics as the graph draws them: a decision after the activity (or,
 * with `testBefore`, before it) sends the token back to the activity while the loopCondition
 * holds, and on along the activity's own flows once it does not. No engine support is needed:
 * the loop is edges and a gateway, as a modeler would draw it by hand.
 */

import type { ElementContext, RawEdge, RawNode } from './elements.js';
import { mapCondition } from './expressions.js';
import type { BpmnElement } from './read.js';
import { refuse } from './refusals.js';

/** Rewrites the edges around each activity with standard loop characteristics; adds its gateways. */
export function drawStandardLoops(looped: readonly BpmnElement[], nodes: RawNode[], edges: RawEdge[], ctx: ElementContext): void {
  for (const element of looped) {
    const loop = element.loopCharacteristics as BpmnElement & { testBefore?: boolean; loopMaximum?: number };
    if (loop.loopMaximum !== undefined) {
      refuse(ctx.findings, element, 'a standard loop with loopMaximum is not supported; bound the loop in its loopCondition');
      continue;
    }
    const condition = loop.loopCondition?.body;
    if (!condition) {
      refuse(ctx.findings, element, 'a standard loop needs a loopCondition (it would loop for ever)');
      continue;
    }
    const when = mapCondition(condition, loop.loopCondition?.language);
    if (!when.ok) {
      refuse(ctx.findings, element, `loopCondition: ${when.reason}`);
      continue;
    }
    const id = ctx.idOf(element.id ?? '');
    const test = ctx.idOf(`__${id}_loop`);
    nodes.push({ id: test, type: 'decision' });
    // The activity's own ways on now leave the loop's gateway once the condition no longer holds.
    const out = edges.filter((e) => e.from === id);
    const onward = exitOf(id, out, nodes, edges, ctx);
    for (const edge of out) edges.splice(edges.indexOf(edge), 1);
    if (loop.testBefore) {
      for (const edge of edges) if (edge.to === id) edge.to = test;
      edges.push({ from: id, to: test });
    } else edges.push({ from: id, to: test });
    edges.push({ from: test, to: id, when: when.value }, { from: test, to: onward, default: true });
  }
}

/** Where the loop goes on: the activity's one plain flow's target, else a pass-through that leaves as the activity did. */
function exitOf(id: string, out: readonly RawEdge[], nodes: RawNode[], edges: RawEdge[], ctx: ElementContext): string {
  if (out.length === 1 && out[0].when === undefined) return out[0].to;
  const exit = ctx.idOf(`__${id}_done`);
  nodes.push({ id: exit, type: out.some((e) => e.when !== undefined) ? 'inclusive' : 'parallel' });
  for (const edge of out) edges.push({ ...edge, from: exit });
  return exit;
}
