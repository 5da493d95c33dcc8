/**
 * BPMN 2.0 XML → runloom/v1 (SPEC F1.5). The file's one executable process becomes the flow;
 * processes it calls (call activities) become flows of their own. Whatever cannot be mapped is
 * refused — every problem at once, each naming the element, its type and its line — never
 * dropped. The result is a plain flow definition: validate and compile it like a YAML file.
 *
 * @example
 * const { flow, called } = await importBpmn(xml, { sourceName: 'order.bpmn' });
 * await runloom.flows.publishAll([...called, flow].map((source) => ({ source })));
 */
import { FlowInvalidError, type FlowProblem } from '../errors.js';
import type { ElementContext } from './elements.js';
import { buildGraph } from './graph.js';
import { type BpmnElement, readBpmn } from './read.js';
import { type Findings, refuse } from './refusals.js';

export interface BpmnImportOptions {
  /** Named in problems. */
  readonly sourceName?: string;
  /**
   * The action that runs script tasks (it gets `{ script, format, variables }`). Without one,
   * script tasks are refused: Runloom never runs code from a file on its own.
   */
  readonly scriptAction?: string;
  /** Service/send/business-rule task id or name → action name. */
  readonly actions?: Readonly<Record<string, string>>;
}

export type FlowDefinitionRaw = Record<string, unknown> & {
  format: 'runloom/v1';
  id: string;
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
};

export interface BpmnImport {
  /** The executable process as a runloom/v1 flow. */
  readonly flow: FlowDefinitionRaw;
  /** Processes of the same file it calls (call activities), as flows. */
  readonly called: FlowDefinitionRaw[];
  /** What the file says that the flow does not keep (none of it changes a run's path). */
  readonly warnings: FlowProblem[];
}

/** A BPMN id (an XML NCName) as a node id: letters, digits, `_` and `-`. */
function nodeIdOf(bpmnId: string): string {
  const id = bpmnId.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/** A process id as a flow id: a lowercase slug. */
export function flowIdOf(processId: string): string {
  const slug = processId
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return slug.slice(0, 100) || 'bpmn-process';
}

function laneDescriptions(process: BpmnElement): Map<string, string> {
  const lanes = new Map<string, string>();
  const visit = (set: BpmnElement | undefined, path: string) => {
    for (const lane of set?.lanes ?? []) {
      const name = `${path}${lane.name ?? lane.id}`;
      for (const ref of lane.flowNodeRef ?? []) if (ref.id) lanes.set(ref.id, `lane: ${name}`);
      visit(lane.childLaneSet, `${name} / `);
    }
  };
  for (const set of process.laneSets ?? []) visit(set, '');
  return lanes;
}

/** A sub-process imported as a flow of its own (a child run), and that flow's id. */
interface Child {
  readonly element: BpmnElement;
  readonly id: string;
}

function convert(
  process: BpmnElement,
  findings: Findings,
  options: BpmnImportOptions,
  fileIds: ReadonlySet<string>,
  children: Child[],
  messages: readonly BpmnElement[] = [],
  id = flowIdOf(process.id ?? 'process'),
): FlowDefinitionRaw {
  // Names the import adds avoid every id of the file, so they never read as one of its elements.
  const taken = new Set(fileIds);
  const synthesized = new Map<string, string>();
  const ctx: ElementContext = {
    findings,
    scriptAction: options.scriptAction,
    actions: options.actions ?? {},
    idOf: (bpmnId) => {
      if (!bpmnId.startsWith('__')) return nodeIdOf(bpmnId);
      // Nodes the import adds (an implicit start or end) get a name no element has.
      let id = synthesized.get(bpmnId);
      if (!id) {
        id = bpmnId.slice(2);
        while (taken.has(id)) id = `_${id}`;
        taken.add(id);
        synthesized.set(bpmnId, id);
      }
      return id;
    },
    flowIdOf,
    childFlow: (subProcess) => {
      const child = { element: subProcess, id: flowIdOf(`${id}.${subProcess.id ?? 'sub'}`) };
      children.push(child);
      return child.id;
    },
  };
  const { nodes, edges } = buildGraph(process, ctx, messages);
  const lanes = laneDescriptions(process);
  for (const node of nodes) {
    const lane = lanes.get(node.id);
    if (lane) node.description = lane;
  }
  return {
    format: 'runloom/v1',
    id,
    ...(process.name ? { name: process.name } : {}),
    nodes,
    edges,
  };
}

function* allElements(container: BpmnElement): Generator<BpmnElement> {
  for (const element of container.flowElements ?? []) {
    yield element;
    if (element.flowElements) yield* allElements(element);
  }
}

/**
 * The processes that run as one flow: every executable one (they all start with the run, as
 * bpmn-engine runs them), and those a message flow from them reaches (a participant's process
 * that a message starts).
 */
function drawnTogether(
  main: readonly BpmnElement[],
  processes: readonly BpmnElement[],
  messageFlows: readonly BpmnElement[],
): BpmnElement[] {
  const drawn = [...main];
  for (let i = 0; i < drawn.length; i++) {
    const ids = new Set([...allElements(drawn[i])].map((e) => e.id));
    for (const message of messageFlows) {
      if (!ids.has(message.sourceRef?.id)) continue;
      const reached = processes.find(
        (p) => !drawn.includes(p) && [...allElements(p)].some((e) => e.id === message.targetRef?.id),
      );
      if (reached) drawn.push(reached);
    }
  }
  return drawn;
}

/** Several processes as one: their elements and lanes side by side, under the first one's id and name. */
function merged(drawn: readonly BpmnElement[]): BpmnElement {
  if (drawn.length === 1) return drawn[0];
  return {
    ...drawn[0],
    flowElements: drawn.flatMap((p) => p.flowElements ?? []),
    laneSets: drawn.flatMap((p) => p.laneSets ?? []),
  };
}

function calledProcesses(process: BpmnElement): string[] {
  const ids: string[] = [];
  for (const element of allElements(process))
    if (element.$type === 'bpmn:CallActivity' && element.calledElement) ids.push(element.calledElement);
  return ids;
}

/**
 * Imports BPMN XML. Throws FlowInvalidError with every problem (BPMN_PARSE, BPMN_UNSUPPORTED)
 * when the file cannot be run as it is drawn.
 */
export async function importBpmn(text: string, options: BpmnImportOptions = {}): Promise<BpmnImport> {
  const sourceName = options.sourceName ?? 'flow.bpmn';
  const { definitions } = await readBpmn(text, sourceName);
  const findings: Findings = { text, problems: [], warnings: [] };
  const processes = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  const executable = processes.filter((p) => p.isExecutable !== false);
  const main = executable.length > 0 ? executable : processes.slice(0, 1);
  if (main.length === 0) {
    throw new FlowInvalidError([{ path: '', code: 'BPMN_UNSUPPORTED', message: 'the file has no process' }], sourceName);
  }
  const collaborations = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Collaboration');
  const messageFlows = collaborations.flatMap((c) => c.messageFlows ?? []);
  const drawn = drawnTogether(main, processes, messageFlows);
  const inFlow = new Set(drawn.flatMap((p) => [...allElements(p)].map((e) => e.id)));
  // Message flows within the flow become edges (buildGraph); one leaving it reaches no run.
  const messages = messageFlows.filter((m) => inFlow.has(m.sourceRef?.id) && inFlow.has(m.targetRef?.id));
  for (const message of messageFlows) {
    if (messages.includes(message) || (!inFlow.has(message.sourceRef?.id) && !inFlow.has(message.targetRef?.id))) continue;
    refuse(
      findings,
      message,
      'a message flow to or from a process that does not run with this one (each process is a run of its own); send the message to the run as a signal (`runloom runs signal`)',
    );
  }
  const fileIds = new Set<string>();
  for (const process of processes) for (const element of allElements(process)) if (element.id) fileIds.add(nodeIdOf(element.id));
  const children: Child[] = [];
  const flow = convert(merged(drawn), findings, options, fileIds, children, messages);
  const called: FlowDefinitionRaw[] = [];
  const pending = drawn.flatMap(calledProcesses);
  const done = new Set(drawn.map((p) => p.id));
  while (pending.length > 0) {
    const id = pending.shift() as string;
    if (done.has(id)) continue;
    done.add(id);
    const process = processes.find((p) => p.id === id);
    // A process called but not in this file is looked up among the published flows.
    if (!process) continue;
    called.push(convert(process, findings, options, fileIds, children));
    pending.push(...calledProcesses(process));
  }
  // Converting a child may find children of its own: the list grows while it is walked.
  for (let i = 0; i < children.length; i++) {
    const { element, id } = children[i];
    called.push(convert(element, findings, options, fileIds, children, [], id));
  }
  if (findings.problems.length > 0) throw new FlowInvalidError(findings.problems, sourceName);
  return { flow, called, warnings: findings.warnings };
}
