/**
 * A BPMN process → the nodes and edges of a runloom/v1 flow.
 *
 * An embedded sub-process becomes a scope drawn into the parent's graph: the flow into it goes
 * to its start event, its end events lead to an inclusive join named after the sub-process, and
 * that join fires when no token inside can still reach it — which is when BPMN completes the
 * sub-process (every token inside consumed). Elements without an incoming flow start with the
 * process (as bpmn-engine starts them); elements without an outgoing flow end their token.
 */

import {
  activityNode,
  boundaryOf,
  catchNode,
  type ElementContext,
  endNode,
  eventKind,
  type RawEdge,
  type RawNode,
} from './elements.js';
import { mapCondition } from './expressions.js';
import { drawStandardLoops } from './loops.js';
import type { BpmnElement } from './read.js';
import { note, refuse } from './refusals.js';

export interface FlowGraph {
  readonly nodes: RawNode[];
  readonly edges: RawEdge[];
}

const ACTIVITIES = new Set([
  'bpmn:Task',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:BusinessRuleTask',
  'bpmn:ScriptTask',
  'bpmn:UserTask',
  'bpmn:ManualTask',
  'bpmn:ReceiveTask',
  'bpmn:CallActivity',
]);
/** Not flow nodes: they carry data or notes, never a token. */
const ARTEFACTS = new Set([
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
]);
const GATEWAYS: Readonly<Record<string, string>> = {
  'bpmn:ExclusiveGateway': 'decision',
  'bpmn:ParallelGateway': 'parallel',
  'bpmn:InclusiveGateway': 'inclusive',
  'bpmn:EventBasedGateway': 'race',
};
const BOUNDARY_HOSTS = new Set(['task', 'wait', 'map', 'subflow']);

interface Placed {
  readonly element: BpmnElement;
  /** The sub-process it is in, if any. */
  readonly scope?: BpmnElement;
}

interface Walk {
  readonly placed: Placed[];
  readonly flows: BpmnElement[];
  /** Sub-process id → its start event. */
  readonly scopeStart: Map<string, BpmnElement>;
}

function walk(container: BpmnElement, ctx: ElementContext, into: Walk, scope?: BpmnElement): void {
  for (const element of container.flowElements ?? []) {
    if (element.$type === 'bpmn:SequenceFlow') into.flows.push(element);
    else if (ARTEFACTS.has(element.$type)) continue;
    else if (element.$type === 'bpmn:SubProcess') {
      if (element.triggeredByEvent) refuse(ctx.findings, element, 'event sub-processes are not supported');
      else if (element.loopCharacteristics)
        refuse(ctx.findings, element, 'a sub-process with loop or multi-instance characteristics is not supported');
      else if (runsApart(element, container)) into.placed.push({ element, scope });
      else {
        into.placed.push({ element, scope });
        const starts = scopeStarts(element);
        if (starts.length !== 1)
          refuse(
            ctx.findings,
            element,
            `a sub-process needs exactly one place to start: one start event, or one element no flow enters (it has ${starts.length})`,
          );
        else into.scopeStart.set(element.id ?? '', starts[0]);
        walk(element, ctx, into, element);
      }
    } else into.placed.push({ element, scope });
  }
}

/**
 * A sub-process that something outside must be able to cancel as a whole — a boundary event
 * on it, or an error end event in it that ends it — runs as a child run (a `subflow` node):
 * cancelling the child cancels every token inside, and its error is the subflow step's error.
 */
function runsApart(subProcess: BpmnElement, container: BpmnElement): boolean {
  const bounded = (container.flowElements ?? []).some(
    (e) => e.$type === 'bpmn:BoundaryEvent' && e.attachedToRef?.id === subProcess.id,
  );
  return bounded || (subProcess.flowElements ?? []).some((e) => e.$type === 'bpmn:EndEvent' && eventKind(e) === 'error');
}

/** A signal throw: every other run of the store listening for the signal gets it (signal.broadcast). */
function signalThrow(element: BpmnElement, id: string): RawNode {
  const ref = element.eventDefinitions?.[0]?.signalRef;
  const name = ref?.name ?? ref?.id ?? element.id ?? id;
  return { id, type: 'task', action: 'signal.broadcast', input: { name } };
}

/** Where a sub-process starts: its start events, else the flow nodes no flow inside enters. */
function scopeStarts(scope: BpmnElement): BpmnElement[] {
  const inside = scope.flowElements ?? [];
  const starts = inside.filter((e) => e.$type === 'bpmn:StartEvent');
  if (starts.length > 0) return starts;
  const entered = new Set(inside.filter((e) => e.$type === 'bpmn:SequenceFlow').map((f) => f.targetRef?.id));
  return inside.filter(
    (e) => e.$type !== 'bpmn:SequenceFlow' && e.$type !== 'bpmn:BoundaryEvent' && !ARTEFACTS.has(e.$type) && !entered.has(e.id),
  );
}

/** A node that only passes tokens on: a merge when several flows come in, a split when several go out. */
function passThrough(id: string, incoming: number, outgoing: readonly BpmnElement[]): RawNode[] {
  if (outgoing.length === 0) return [{ id, type: 'end' }];
  const conditional = outgoing.some((f) => f.conditionExpression);
  if (outgoing.length === 1 && !conditional) return [{ id, type: incoming > 1 ? 'decision' : 'parallel' }];
  const split = conditional ? 'inclusive' : 'parallel';
  return [{ id, type: split }];
}

/**
 * Message flows between the processes drawn into one flow become edges: a message start event
 * starts when the message is sent (its sender's edge leads to it), and an intermediate message
 * catch event fires once both its token and the message have arrived (a parallel join). A
 * message flow into anything else is refused.
 */
function messageTargets(messages: readonly BpmnElement[], ctx: ElementContext): Map<string, BpmnElement[]> {
  const into = new Map<string, BpmnElement[]>();
  for (const message of messages) {
    const target = message.targetRef;
    const caught =
      (target?.$type === 'bpmn:StartEvent' || target?.$type === 'bpmn:IntermediateCatchEvent') && eventKind(target) === 'message';
    if (!caught || !target?.id || !message.sourceRef?.id) {
      refuse(ctx.findings, message, 'a message flow is run only into a message start event or a message catch event');
      continue;
    }
    into.set(target.id, [...(into.get(target.id) ?? []), message]);
  }
  return into;
}

/**
 * Link events: a link throw event goes on at the link catch event of the same name in the same
 * process or sub-process (a "go to" drawn as two events). Throw id → catch id.
 */
function linkJumps(placed: readonly Placed[], ctx: ElementContext): Map<string, string> {
  const linkName = (element: BpmnElement) => element.eventDefinitions?.[0]?.name ?? element.name ?? '';
  const key = (p: Placed) => `${p.scope?.id ?? ''}\n${linkName(p.element)}`;
  const isLink = (p: Placed, type: string) => p.element.$type === type && eventKind(p.element) === 'link';
  const catches = new Map<string, Placed[]>();
  for (const p of placed.filter((p) => isLink(p, 'bpmn:IntermediateCatchEvent')))
    catches.set(key(p), [...(catches.get(key(p)) ?? []), p]);
  for (const [, same] of catches)
    for (const extra of same.slice(1))
      refuse(ctx.findings, extra.element, `another link catch event is named '${linkName(extra.element)}' in the same process`);
  const jumps = new Map<string, string>();
  for (const p of placed.filter((p) => isLink(p, 'bpmn:IntermediateThrowEvent'))) {
    const target = catches.get(key(p))?.[0];
    if (target) jumps.set(p.element.id ?? '', target.element.id ?? '');
    else refuse(ctx.findings, p.element, `no link catch event named '${linkName(p.element)}' in the same process to go on at`);
  }
  return jumps;
}

export function buildGraph(process: BpmnElement, ctx: ElementContext, messages: readonly BpmnElement[] = []): FlowGraph {
  const w: Walk = { placed: [], flows: [], scopeStart: new Map() };
  walk(process, ctx, w);
  const messaged = messageTargets(messages, ctx);
  const jumps = linkJumps(w.placed, ctx);
  const byId = new Map(w.placed.map((p) => [p.element.id ?? '', p]));
  const outgoing = new Map<string, BpmnElement[]>();
  const incoming = new Map<string, number>();
  for (const flow of w.flows) {
    const from = flow.sourceRef?.id ?? '';
    const to = flow.targetRef?.id ?? '';
    outgoing.set(from, [...(outgoing.get(from) ?? []), flow]);
    incoming.set(to, (incoming.get(to) ?? 0) + 1);
  }
  for (const [to, sent] of messaged) incoming.set(to, (incoming.get(to) ?? 0) + sent.length);
  for (const to of jumps.values()) incoming.set(to, (incoming.get(to) ?? 0) + 1);
  const inOf = (id: string) => incoming.get(id) ?? 0;
  const outOf = (id: string) => outgoing.get(id) ?? [];
  const entry = (id: string) => ctx.idOf(w.scopeStart.get(id)?.id ?? id);

  const nodes: RawNode[] = [];
  const edges: RawEdge[] = [];
  const nodeOf = new Map<string, RawNode>();
  const add = (node: RawNode | undefined, bpmnId?: string) => {
    if (!node) return;
    nodes.push(node);
    if (bpmnId) nodeOf.set(bpmnId, node);
  };
  const needsEnd: string[] = [];
  // An element no flow leaves ends its token: in a sub-process, that token is done with the scope.
  const ends = (id: string, scope: BpmnElement | undefined) => {
    if (scope) edges.push({ from: id, to: ctx.idOf(scope.id ?? '') });
    else needsEnd.push(id);
  };

  // Process start: the one none start event, else a start that fans out to every element no flow enters.
  const roots = w.placed.filter((p) => !p.scope && inOf(p.element.id ?? '') === 0 && p.element.$type !== 'bpmn:BoundaryEvent');
  const single = roots.length === 1 && roots[0].element.$type === 'bpmn:StartEvent' ? roots[0].element : undefined;
  if (!single) {
    const start = ctx.idOf('__start');
    nodes.push({ id: start, type: 'start' });
    for (const root of roots) edges.push({ from: start, to: entry(root.element.id ?? '') });
  }

  for (const { element, scope } of w.placed) {
    const bpmnId = element.id ?? '';
    const id = ctx.idOf(bpmnId);
    const type = element.$type;
    const out = outOf(bpmnId);
    if (ACTIVITIES.has(type)) {
      add(activityNode(element, ctx), bpmnId);
      if (out.length === 0) ends(id, scope);
    } else if (type in GATEWAYS) {
      add({ id, type: GATEWAYS[type], ...(element.name ? { name: element.name } : {}) }, bpmnId);
      if (out.length === 0) ends(id, scope);
    } else if (type === 'bpmn:SubProcess') {
      const name = element.name ? { name: element.name } : {};
      // Apart: a child run that sees the process variables and hands them back.
      if (!w.scopeStart.has(bpmnId)) {
        const input = '=$merge([input, vars])';
        add({ id, ...name, type: 'subflow', flow: ctx.childFlow(element), input, mergeOutput: true }, bpmnId);
      }
      // Drawn in: the scope's completion is an inclusive join of its end events.
      else add({ id, type: 'inclusive', ...name }, bpmnId);
      if (out.length === 0) ends(id, scope);
    } else if (type === 'bpmn:StartEvent') {
      if (eventKind(element) !== undefined && !messaged.has(bpmnId)) {
        refuse(ctx.findings, element, `${eventKind(element)} start events are not supported (a run starts when it is started)`);
        continue;
      }
      if (element === single) add({ id, type: 'start' }, bpmnId);
      else add(passThrough(id, scope ? inOf(scope.id ?? '') : 1, out)[0], bpmnId);
    } else if (type === 'bpmn:EndEvent') {
      if (eventKind(element) === 'signal') {
        // A signal end event throws, then ends its token.
        add(signalThrow(element, id), bpmnId);
        if (scope) edges.push({ from: id, to: ctx.idOf(scope.id ?? '') });
        else needsEnd.push(id);
        continue;
      }
      const end = endNode(element, ctx, scope !== undefined);
      if (!end) continue;
      if (scope) {
        add({ id, type: 'decision' }, bpmnId);
        edges.push({ from: id, to: ctx.idOf(scope.id ?? '') });
      } else {
        add(end, bpmnId);
        // An error end is a failing step: it needs a way on to pass validation, never taken.
        if (end.type !== 'end') needsEnd.push(id);
      }
    } else if (type === 'bpmn:IntermediateCatchEvent') {
      if (messaged.has(bpmnId)) add({ id, type: 'parallel' }, bpmnId);
      else if (eventKind(element) === 'link') add(passThrough(id, inOf(bpmnId), out)[0], bpmnId);
      else add(catchNode(element, ctx), bpmnId);
      if (out.length === 0) ends(id, scope);
    } else if (type === 'bpmn:IntermediateThrowEvent') {
      const kind = eventKind(element);
      if (kind === undefined) add(passThrough(id, inOf(bpmnId), out)[0], bpmnId);
      else if (kind === 'link') {
        const to = jumps.get(bpmnId);
        if (to === undefined) continue; // refused by linkJumps
        add(passThrough(id, inOf(bpmnId), [element])[0], bpmnId);
        edges.push({ from: id, to: entry(to) });
      } else if (kind === 'signal') {
        add(signalThrow(element, id), bpmnId);
        if (out.length === 0) ends(id, scope);
      } else refuse(ctx.findings, element, `${kind} throw events are not supported (none and signal are)`);
    } else if (type === 'bpmn:BoundaryEvent') {
      add(passThrough(id, 1, out)[0], bpmnId);
    } else {
      refuse(ctx.findings, element, 'this element is not supported');
    }
  }

  for (const { element } of w.placed) {
    if (element.$type !== 'bpmn:BoundaryEvent') continue;
    const host = element.attachedToRef;
    const hostNode = host?.id ? nodeOf.get(host.id) : undefined;
    if (!host || !hostNode) continue; // the host was refused already
    if (!BOUNDARY_HOSTS.has(hostNode.type)) {
      refuse(ctx.findings, element, `boundary events on a ${host.$type.replace('bpmn:', '')} are not supported`);
      continue;
    }
    const boundary = boundaryOf(element, ctx.idOf(element.id ?? ''), ctx);
    if (boundary) hostNode.boundary = [...((hostNode.boundary as unknown[]) ?? []), boundary];
  }

  for (const flow of w.flows) {
    const source = flow.sourceRef;
    const target = flow.targetRef;
    if (!source?.id || !target?.id || !byId.has(source.id) || !byId.has(target.id)) {
      refuse(ctx.findings, flow, 'a sequence flow must connect two flow nodes of the same process');
      continue;
    }
    const edge: RawEdge = { from: ctx.idOf(source.id), to: entry(target.id) };
    if (flow.conditionExpression) {
      if (source.$type === 'bpmn:ParallelGateway')
        note(ctx.findings, flow, 'a condition on a flow out of a parallel gateway is ignored (BPMN)');
      else {
        const mapped = mapCondition(flow.conditionExpression.body ?? '', flow.conditionExpression.language);
        if (mapped.ok) edge.when = mapped.value;
        else refuse(ctx.findings, flow, mapped.reason);
      }
    }
    if (source.default?.id === flow.id) edge.default = true;
    edges.push(edge);
  }

  for (const [to, sent] of messaged)
    for (const message of sent) edges.push({ from: ctx.idOf(message.sourceRef?.id ?? ''), to: entry(to) });

  if (needsEnd.length > 0) {
    const end = ctx.idOf('__end');
    nodes.push({ id: end, type: 'end' });
    for (const from of needsEnd) edges.push({ from, to: end });
  }
  const looped = w.placed
    .map((p) => p.element)
    .filter((e) => ACTIVITIES.has(e.$type) && e.loopCharacteristics?.$type === 'bpmn:StandardLoopCharacteristics');
  drawStandardLoops(looped, nodes, edges, ctx);
  return { nodes, edges };
}
