/**
 * runloom/v1 → BPMN 2.0 XML with diagram interchange (shapes and edges laid out by elkjs), so
 * that bpmn.io opens it and `importBpmn` reads back the same flow. Fields BPMN has no place for
 * (retries, timeouts, input mappings of actions, manual decisions…) are refused, naming node and
 * field, rather than dropped.
 *
 * @example
 * const xml = await exportBpmn(flowDefinition);
 */
import { BpmnModdle, type ModdleObject } from 'bpmn-moddle';
import { FlowInvalidError, type FlowProblem } from '../errors.js';
import { centre, layoutGraph } from '../layout/layout.js';

type RawNode = Record<string, unknown> & { id: string; type: string };
type RawEdge = { from: string; to: string; when?: string; default?: boolean };
export interface ExportableFlow {
  readonly id: string;
  readonly name?: string;
  readonly nodes: readonly Record<string, unknown>[];
  readonly edges?: readonly Record<string, unknown>[];
}

const RUNLOOM_NS = 'http://runloom.dev/schema/bpmn';
const CAMUNDA_NS = 'http://camunda.org/schema/1.0/bpmn';
/** Node fields every type may carry and that export keeps. */
const COMMON = new Set(['id', 'type', 'name', 'description', 'boundary']);
const KEPT: Readonly<Record<string, readonly string[]>> = {
  start: [],
  end: ['terminate'],
  task: ['action', 'input', 'output', 'mergeOutput'],
  decision: ['mode'],
  parallel: [],
  inclusive: [],
  race: [],
  wait: ['signal'],
  timer: ['duration', 'until', 'cron'],
  subflow: ['flow'],
  map: ['items', 'concurrency', 'do', 'output'],
};
const VARIABLE_ITEMS = /^=\(\$exists\(vars\.([\w$.]+)\) \? vars\.\1 : input\.\1\)$/;
const RANGE_ITEMS = /^=\[1\.\.(\d+)\]$/;

/** `3600000` ms → `PT3600S`. */
function isoDuration(value: unknown): string {
  const ms = typeof value === 'number' ? value : parseMs(String(value));
  return `PT${ms / 1000}S`;
}

function parseMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(n) * units[unit];
  return total;
}

/** An attribute of another namespace (moddle keeps those in `$attrs`). */
function setAttr(el: ModdleObject, name: string, value: string): void {
  (el.$attrs as Record<string, string>)[name] = value;
}

interface Builder {
  readonly moddle: BpmnModdle;
  readonly problems: FlowProblem[];
  readonly roots: ModdleObject[];
  readonly named: Map<string, ModdleObject>;
}

function refuse(b: Builder, node: RawNode, field: string, reason: string): void {
  b.problems.push({
    path: `nodes.${node.id}.${field}`,
    code: 'BPMN_EXPORT',
    message: `${node.type} node '${node.id}': ${reason}`,
  });
}

/** A root element (message, signal, error) by name, made once. */
function rootNamed(b: Builder, type: 'bpmn:Message' | 'bpmn:Signal' | 'bpmn:Error', name: string): ModdleObject {
  const key = `${type}:${name}`;
  let root = b.named.get(key);
  if (!root) {
    const id = `${type.slice(5).toLowerCase()}_${b.named.size + 1}`;
    root = b.moddle.create(type, type === 'bpmn:Error' ? { id, name, errorCode: name } : { id, name });
    b.named.set(key, root);
    b.roots.push(root);
  }
  return root;
}

function timerDefinition(b: Builder, spec: { duration?: unknown; until?: unknown; cron?: unknown }): ModdleObject {
  const expression = (body: string) => b.moddle.create('bpmn:FormalExpression', { body });
  if (spec.until !== undefined) return b.moddle.create('bpmn:TimerEventDefinition', { timeDate: expression(String(spec.until)) });
  if (spec.cron !== undefined) return b.moddle.create('bpmn:TimerEventDefinition', { timeCycle: expression(String(spec.cron)) });
  return b.moddle.create('bpmn:TimerEventDefinition', { timeDuration: expression(isoDuration(spec.duration)) });
}

function taskElement(b: Builder, node: RawNode, attrs: Record<string, unknown>): ModdleObject | undefined {
  const input = node.input as Record<string, unknown> | undefined;
  if (node.action === 'set' && input && Object.keys(input).length === 0 && !node.output)
    return b.moddle.create('bpmn:Task', attrs);
  if (node.mergeOutput === true && typeof input?.script === 'string') return scriptElement(b, attrs, input);
  if (input !== undefined && !(node.type === 'map' && input && (input as { item?: unknown }).item === '=item')) {
    refuse(b, node, 'input', 'an input mapping has no place in BPMN; compute it in the action');
    return undefined;
  }
  const task = b.moddle.create('bpmn:ServiceTask', attrs);
  setAttr(task, 'runloom:action', String(node.action));
  if (node.output) setAttr(task, 'camunda:resultVariable', String(node.output));
  return task;
}

/** What the import makes of a script task (a task calling the script runner) goes back out as one. */
function scriptElement(b: Builder, attrs: Record<string, unknown>, input: Record<string, unknown>): ModdleObject {
  const task = b.moddle.create('bpmn:ScriptTask', { ...attrs, scriptFormat: 'javascript', script: input.script });
  if (typeof input.resultVariable === 'string') setAttr(task, 'camunda:resultVariable', input.resultVariable);
  return task;
}

function element(b: Builder, node: RawNode): ModdleObject | undefined {
  if (node.type === 'subflow' && node.mergeOutput === true) {
    // What the import makes of a sub-process with boundary events: its inside is another flow.
    refuse(
      b,
      node,
      'mergeOutput',
      `a sub-process run as a child run is not exported yet; export its flow '${node.flow}' on its own`,
    );
    return undefined;
  }
  for (const key of Object.keys(node)) {
    if (!COMMON.has(key) && !(KEPT[node.type] ?? []).includes(key)) refuse(b, node, key, `\`${key}\` has no place in BPMN`);
  }
  const attrs: Record<string, unknown> = { id: node.id, ...(node.name ? { name: node.name } : {}) };
  switch (node.type) {
    case 'start':
      return b.moddle.create('bpmn:StartEvent', attrs);
    case 'end':
      return b.moddle.create('bpmn:EndEvent', {
        ...attrs,
        ...(node.terminate ? { eventDefinitions: [b.moddle.create('bpmn:TerminateEventDefinition')] } : {}),
      });
    case 'task':
      return taskElement(b, node, attrs);
    case 'decision':
      if (node.mode !== undefined && node.mode !== 'auto')
        refuse(b, node, 'mode', 'a manual decision is a user task and a gateway in BPMN');
      return b.moddle.create('bpmn:ExclusiveGateway', attrs);
    case 'parallel':
      return b.moddle.create('bpmn:ParallelGateway', attrs);
    case 'inclusive':
      return b.moddle.create('bpmn:InclusiveGateway', attrs);
    case 'race':
      return b.moddle.create('bpmn:EventBasedGateway', attrs);
    case 'wait':
      return node.signal
        ? b.moddle.create('bpmn:ReceiveTask', { ...attrs, messageRef: rootNamed(b, 'bpmn:Message', String(node.signal)) })
        : b.moddle.create('bpmn:UserTask', attrs);
    case 'timer':
      return b.moddle.create('bpmn:IntermediateCatchEvent', {
        ...attrs,
        eventDefinitions: [timerDefinition(b, node as { duration?: unknown })],
      });
    case 'subflow':
      return b.moddle.create('bpmn:CallActivity', { ...attrs, calledElement: node.flow });
    case 'map':
      return mapElement(b, node, attrs);
    default:
      refuse(b, node, 'type', `${node.type} nodes have no BPMN element`);
      return undefined;
  }
}

function mapElement(b: Builder, node: RawNode, attrs: Record<string, unknown>): ModdleObject | undefined {
  const body = node.do as RawNode;
  const items = String(node.items);
  const variable = VARIABLE_ITEMS.exec(items);
  const range = RANGE_ITEMS.exec(items);
  if (!variable && !range) {
    refuse(b, node, 'items', `BPMN multi-instance takes a variable (\${name}) or a count; compute other lists first`);
    return undefined;
  }
  const inner = {
    ...body,
    id: node.id,
    type: body.type === 'task' ? 'map' : body.type,
    ...(node.output ? { output: node.output } : {}),
  };
  const host =
    body.type === 'subflow'
      ? b.moddle.create('bpmn:CallActivity', { ...attrs, calledElement: body.flow })
      : taskElement(b, inner as RawNode, attrs);
  if (!host) return undefined;
  const loop = b.moddle.create('bpmn:MultiInstanceLoopCharacteristics', {
    isSequential: node.concurrency === 1,
    ...(range ? { loopCardinality: b.moddle.create('bpmn:FormalExpression', { body: range[1] }) } : {}),
  });
  if (variable) setAttr(loop, 'camunda:collection', `\${${variable[1]}}`);
  host.loopCharacteristics = loop;
  return host;
}

function boundaryDefinition(b: Builder, spec: Record<string, unknown>): ModdleObject {
  if (spec.on === 'error')
    return b.moddle.create(
      'bpmn:ErrorEventDefinition',
      spec.code ? { errorRef: rootNamed(b, 'bpmn:Error', String(spec.code)) } : {},
    );
  if (spec.on === 'signal')
    return b.moddle.create('bpmn:SignalEventDefinition', { signalRef: rootNamed(b, 'bpmn:Signal', String(spec.signal)) });
  return timerDefinition(b, { duration: spec.after });
}

/**
 * A `fail` step whose only ways on lead to end nodes is what the import makes of an error end
 * event: it goes back out as one, without those edges (and without an end node only they reached).
 */
function withErrorEnds(
  allNodes: readonly RawNode[],
  allEdges: readonly RawEdge[],
): { nodes: RawNode[]; edges: RawEdge[]; errorEnds: Set<string> } {
  const type = new Map(allNodes.map((n) => [n.id, n.type]));
  const errorEnds = new Set<string>();
  for (const node of allNodes) {
    const out = allEdges.filter((e) => e.from === node.id);
    const input = (node.input ?? {}) as { code?: unknown; message?: unknown };
    // Only the message the import writes: another one has no place on an end event.
    const asImported = input.message === undefined || input.message === `error end event '${node.id}'`;
    if (node.type !== 'task' || node.action !== 'fail' || typeof input.code !== 'string' || !asImported || node.boundary)
      continue;
    if (out.every((e) => type.get(e.to) === 'end')) errorEnds.add(node.id);
  }
  const edges = allEdges.filter((e) => !errorEnds.has(e.from));
  const reached = new Set(edges.map((e) => e.to));
  const orphaned = new Set(allEdges.filter((e) => errorEnds.has(e.from) && !reached.has(e.to)).map((e) => e.to));
  return { nodes: allNodes.filter((n) => !orphaned.has(n.id)), edges, errorEnds };
}

function errorEnd(b: Builder, node: RawNode): ModdleObject {
  const code = String((node.input as { code: string }).code);
  return b.moddle.create('bpmn:EndEvent', {
    id: node.id,
    ...(node.name ? { name: node.name } : {}),
    eventDefinitions: [b.moddle.create('bpmn:ErrorEventDefinition', { errorRef: rootNamed(b, 'bpmn:Error', code) })],
  });
}

/** Nodes that only stand for a boundary event (what the import makes of one): the event itself on export. */
function boundaryStandIns(nodes: readonly RawNode[], edges: readonly RawEdge[]): Set<string> {
  const incoming = new Map<string, number>();
  for (const edge of edges) incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  const targets = new Map<string, number>();
  for (const node of nodes)
    for (const spec of (node.boundary as { to: string }[] | undefined) ?? [])
      targets.set(spec.to, (targets.get(spec.to) ?? 0) + 1);
  const standIns = new Set<string>();
  for (const node of nodes) {
    const passes = node.type === 'parallel' || node.type === 'decision' || node.type === 'end';
    if (passes && targets.get(node.id) === 1 && !incoming.has(node.id) && !node.name && !node.terminate) standIns.add(node.id);
  }
  return standIns;
}

/**
 * The flow as BPMN XML with a diagram. Throws FlowInvalidError (code BPMN_EXPORT) naming every
 * node field BPMN cannot carry.
 */
export async function exportBpmn(flow: ExportableFlow): Promise<string> {
  const moddle = new BpmnModdle();
  const b: Builder = { moddle, problems: [], roots: [], named: new Map() };
  const { nodes, edges, errorEnds } = withErrorEnds(flow.nodes as RawNode[], (flow.edges ?? []) as RawEdge[]);
  const standIns = boundaryStandIns(nodes, edges);
  const elements = new Map<string, ModdleObject>();
  const flowElements: ModdleObject[] = [];
  for (const node of nodes) {
    if (standIns.has(node.id)) continue;
    const el = errorEnds.has(node.id) ? errorEnd(b, node) : element(b, node);
    if (!el) continue;
    elements.set(node.id, el);
    flowElements.push(el);
  }
  // Boundary events, attached to their host; a stand-in node keeps its id and edges.
  const attached = new Map<string, string>();
  for (const node of nodes) {
    ((node.boundary as Record<string, unknown>[] | undefined) ?? []).forEach((spec, i) => {
      const to = String(spec.to);
      const id = standIns.has(to) ? to : `${node.id}_boundary_${i}`;
      const event = moddle.create('bpmn:BoundaryEvent', {
        id,
        attachedToRef: elements.get(node.id),
        cancelActivity: spec.interrupting !== false,
        eventDefinitions: [boundaryDefinition(b, spec)],
      });
      elements.set(id, event);
      flowElements.push(event);
      attached.set(id, node.id);
      if (!standIns.has(to)) edges.push({ from: id, to });
    });
  }
  // In the flow's node order, so that the import reads the nodes back in the same order.
  const order = new Map(nodes.map((node, i) => [node.id, i]));
  flowElements.sort((a, c) => (order.get(String(a.id)) ?? nodes.length) - (order.get(String(c.id)) ?? nodes.length));
  const sequenceFlows: ModdleObject[] = [];
  edges.forEach((edge, i) => {
    const source = elements.get(edge.from);
    const target = elements.get(edge.to);
    if (!source || !target) return;
    const sequenceFlow = moddle.create('bpmn:SequenceFlow', { id: `flow_${i + 1}`, sourceRef: source, targetRef: target });
    if (edge.when)
      sequenceFlow.conditionExpression = moddle.create('bpmn:FormalExpression', { body: edge.when, language: 'JSONata' });
    if (edge.default) source.default = sequenceFlow;
    source.outgoing = [...((source.outgoing as ModdleObject[]) ?? []), sequenceFlow];
    target.incoming = [...((target.incoming as ModdleObject[]) ?? []), sequenceFlow];
    sequenceFlows.push(sequenceFlow);
  });
  if (b.problems.length > 0) throw new FlowInvalidError(b.problems, `${flow.id} (BPMN export)`);
  const process = moddle.create('bpmn:Process', {
    id: flow.id,
    isExecutable: true,
    ...(flow.name ? { name: flow.name } : {}),
    flowElements: [...flowElements, ...sequenceFlows],
  });
  const lanes = lanesOf(moddle, nodes, elements);
  if (lanes) process.laneSets = [lanes];
  const definitions = moddle.create('bpmn:Definitions', {
    id: `${flow.id}-definitions`,
    targetNamespace: 'http://runloom.dev/bpmn',
    rootElements: [...b.roots, process],
  });
  setAttr(definitions, 'xmlns:runloom', RUNLOOM_NS);
  setAttr(definitions, 'xmlns:camunda', CAMUNDA_NS);
  definitions.diagrams = [await diagram(moddle, process, flowElements, sequenceFlows, attached)];
  const { xml } = await moddle.toXML(definitions, { format: true });
  return xml;
}

function lanesOf(moddle: BpmnModdle, nodes: readonly RawNode[], elements: Map<string, ModdleObject>): ModdleObject | undefined {
  const byLane = new Map<string, ModdleObject[]>();
  for (const node of nodes) {
    const lane =
      typeof node.description === 'string' && node.description.startsWith('lane: ') ? node.description.slice(6) : undefined;
    const el = elements.get(node.id);
    if (lane && el) byLane.set(lane, [...(byLane.get(lane) ?? []), el]);
  }
  if (byLane.size === 0) return undefined;
  const lanes = [...byLane].map(([name, refs], i) =>
    moddle.create('bpmn:Lane', { id: `lane_${i + 1}`, name, flowNodeRef: refs }),
  );
  return moddle.create('bpmn:LaneSet', { id: 'lanes', lanes });
}

async function diagram(
  moddle: BpmnModdle,
  process: ModdleObject,
  flowElements: readonly ModdleObject[],
  sequenceFlows: readonly ModdleObject[],
  attached: ReadonlyMap<string, string>,
): Promise<ModdleObject> {
  const id = (el: ModdleObject) => String(el.id);
  const ref = (el: ModdleObject | undefined) => (el ? id(el) : '');
  const typeOf = (el: ModdleObject) => (/Event$/.test(el.$type) ? 'start' : /Gateway$/.test(el.$type) ? 'decision' : 'task');
  // Boundary events ride on their host: laid out without them, then put on the host's bottom edge.
  const placed = flowElements.filter((el) => !attached.has(id(el)));
  const layout = await layoutGraph({
    nodes: placed.map((el) => ({ id: id(el), type: typeOf(el) })),
    edges: sequenceFlows.map((f) => ({
      from: attached.get(ref(f.sourceRef as ModdleObject)) ?? ref(f.sourceRef as ModdleObject),
      to: ref(f.targetRef as ModdleObject),
    })),
  });
  const boxes = new Map(layout.nodes);
  const perHost = new Map<string, number>();
  for (const [event, host] of attached) {
    const box = boxes.get(host);
    if (!box) continue;
    const n = perHost.get(host) ?? 0;
    perHost.set(host, n + 1);
    boxes.set(event, { x: box.x + box.width - 18 - n * 40, y: box.y + box.height - 18, width: 36, height: 36 });
  }
  const bounds = (box: { x: number; y: number; width: number; height: number }) => moddle.create('dc:Bounds', { ...box });
  const shapes = flowElements.map((el) =>
    moddle.create('bpmndi:BPMNShape', {
      id: `${id(el)}_di`,
      bpmnElement: el,
      bounds: bounds(boxes.get(id(el)) ?? { x: 0, y: 0, width: 36, height: 36 }),
    }),
  );
  const edges = sequenceFlows.map((f, i) => {
    const from = id(f.sourceRef as ModdleObject);
    let points = layout.edges[i];
    const source = boxes.get(from);
    const target = boxes.get(ref(f.targetRef as ModdleObject));
    if (attached.has(from) && source && target) points = [{ x: centre(source).x, y: source.y + source.height }, centre(target)];
    return moddle.create('bpmndi:BPMNEdge', {
      id: `${id(f)}_di`,
      bpmnElement: f,
      waypoint: points.map((p) => moddle.create('dc:Point', { x: Math.round(p.x), y: Math.round(p.y) })),
    });
  });
  const plane = moddle.create('bpmndi:BPMNPlane', {
    id: `${id(process)}_plane`,
    bpmnElement: process,
    planeElement: [...shapes, ...edges],
  });
  return moddle.create('bpmndi:BPMNDiagram', { id: `${id(process)}_diagram`, plane });
}
