/**
 * One BPMN flow node → one runloom/v1 node (without its edges). Tasks that do work become
 * `task` nodes calling an action, tasks a person or a message completes become `wait` nodes,
 * gateways keep their kind, catching events become `timer`/`wait` nodes, and events that only
 * pass a token on become pass-through gateways (so they still count a visit, as in BPMN).
 */
import { mapCondition, timerSpec, variableRead } from './expressions.js';
import { type BpmnElement, tagOf } from './read.js';
import { type Findings, label, note, refuse } from './refusals.js';

export type RawNode = Record<string, unknown> & { id: string; type: string };
export type RawEdge = { from: string; to: string; when?: string; default?: true };

export interface ElementContext {
  readonly findings: Findings;
  /** Action of script tasks; without one they are refused. */
  readonly scriptAction?: string;
  /** Service task id or name → action. */
  readonly actions: Readonly<Record<string, string>>;
  /** The runloom id of a BPMN id. */
  readonly idOf: (bpmnId: string) => string;
  /** BPMN process id → runloom flow id, for call activities. */
  readonly flowIdOf: (processId: string) => string;
  /** A sub-process that runs as a child run: the id of the flow it becomes (imported beside). */
  readonly childFlow: (subProcess: BpmnElement) => string;
}

const RUNLOOM_ACTION = 'runloom:action';
const SERVICE_EXPRESSION = /^\$\{\s*(?:environment\.)?services\.([A-Za-z_$][\w$.]*?)(?:\(\))?\s*\}$/;

function definition(element: BpmnElement): BpmnElement | undefined {
  return element.eventDefinitions?.[0];
}

export function eventKind(element: BpmnElement): string | undefined {
  return definition(element)
    ?.$type.replace(/^bpmn:(\w+)EventDefinition$/, '$1')
    .toLowerCase();
}

function signalName(ref: BpmnElement | undefined): string | undefined {
  return ref?.name ?? ref?.id;
}

/** The action a service/send/business-rule task calls, or undefined (refused). */
function actionOf(element: BpmnElement, ctx: ElementContext): string | undefined {
  const attrs = element.$attrs ?? {};
  if (attrs[RUNLOOM_ACTION]) return attrs[RUNLOOM_ACTION];
  const mapped = ctx.actions[element.id ?? ''] ?? (element.name ? ctx.actions[element.name] : undefined);
  if (mapped) return mapped;
  for (const text of [attrs['camunda:expression'], attrs['camunda:delegateExpression'], element.implementation]) {
    const match = text ? SERVICE_EXPRESSION.exec(text) : null;
    if (match) return match[1];
  }
  return undefined;
}

function taskNode(element: BpmnElement, ctx: ElementContext, id: string): RawNode | undefined {
  const base = { id, ...(element.name ? { name: element.name } : {}) };
  switch (element.$type) {
    case 'bpmn:Task':
      // An abstract task does nothing in BPMN engines; `set` with nothing returns nothing.
      return { ...base, type: 'task', action: 'set', input: {} };
    case 'bpmn:ServiceTask':
    case 'bpmn:SendTask':
    case 'bpmn:BusinessRuleTask': {
      const action = actionOf(element, ctx);
      if (!action) {
        refuse(
          ctx.findings,
          element,
          `names no action: add runloom:action="<action>" (xmlns:runloom="http://runloom.dev/schema/bpmn"), implementation="\${services.<action>}", or map its id to an action`,
        );
        return undefined;
      }
      const result = element.$attrs?.['camunda:resultVariable'];
      return { ...base, type: 'task', action, ...(result ? { output: result } : {}) };
    }
    case 'bpmn:ScriptTask':
      return scriptNode(element, ctx, base);
    case 'bpmn:UserTask':
    case 'bpmn:ManualTask':
      return { ...base, type: 'wait' };
    case 'bpmn:ReceiveTask': {
      const signal = signalName(element.messageRef);
      return { ...base, type: 'wait', ...(signal ? { signal } : {}) };
    }
    case 'bpmn:CallActivity':
      if (!element.calledElement) {
        refuse(ctx.findings, element, 'a call activity needs calledElement (the id of the process it calls)');
        return undefined;
      }
      return { ...base, type: 'subflow', flow: ctx.flowIdOf(element.calledElement) };
    default:
      return undefined;
  }
}

/** A script task → a task calling the script runner, whose result (the variables it set) is merged into vars. */
function scriptNode(element: BpmnElement, ctx: ElementContext, base: { id: string }): RawNode | undefined {
  const format = element.scriptFormat ?? '';
  if (!ctx.scriptAction) {
    refuse(
      ctx.findings,
      element,
      `a script task runs ${format || 'unknown'} code from the file; Runloom runs none unless scripts are allowed (createRunloom's bpmnScripts, \`runloom --bpmn-scripts\`)`,
    );
    return undefined;
  }
  if (!/^(javascript|js|ecmascript)$/i.test(format)) {
    refuse(ctx.findings, element, `scriptFormat "${format}" is not JavaScript, the one language the script runner runs`);
    return undefined;
  }
  const result = element.$attrs?.['camunda:resultVariable'];
  return {
    ...base,
    type: 'task',
    action: ctx.scriptAction,
    input: {
      script: element.script ?? '',
      element: { id: element.id ?? base.id, type: tagOf(element) },
      variables: '=$merge([input, vars])',
      ...(result ? { resultVariable: result } : {}),
    },
    mergeOutput: true,
  };
}

/** Multi-instance → a map over a collection or `[1..n]`; the body is the task without id. */
function multiInstance(element: BpmnElement, activity: RawNode, ctx: ElementContext): RawNode | undefined {
  const loop = element.loopCharacteristics as BpmnElement;
  const node = activity.type === 'wait' ? waitInstances(element, activity, ctx) : activity;
  if (loop.completionCondition) {
    refuse(ctx.findings, element, 'a multi-instance completionCondition is not supported (every instance runs)');
    return undefined;
  }
  let items: string | undefined;
  const cardinality = loop.loopCardinality?.body?.trim();
  const collection = loop.$attrs?.['camunda:collection'] ?? loop.collection ?? loop.loopDataInputRef?.id;
  if (cardinality) {
    const n = /^\$\{\s*(\d+)\s*\}$|^(\d+)$/.exec(cardinality);
    if (n) items = `=[1..${n[1] ?? n[2]}]`;
    else {
      const mapped = mapCondition(cardinality, undefined);
      if (mapped.ok) items = `=[1..${mapped.value}]`;
    }
  } else if (collection) {
    const path = /^\$\{\s*(?:environment\.variables\.|variables\.)?([A-Za-z_$][\w$.]*)\s*\}$|^([A-Za-z_$][\w$.]*)$/.exec(
      collection,
    );
    if (path) items = `=${variableRead(path[1] ?? path[2])}`;
  }
  if (!items) {
    refuse(
      ctx.findings,
      element,
      `multi-instance needs a loopCardinality (a number, or \${variable}) or a collection (\${variable})`,
    );
    return undefined;
  }
  const { id, output, boundary, ...body } = node;
  // Each instance gets its item (BPMN's element variable), unless the task has an input of its own.
  if ((body.type === 'task' || body.type === 'subflow') && (body.input === undefined || body.action === 'set'))
    body.input = { item: '=item' };
  return {
    id,
    type: 'map',
    items,
    ...(loop.isSequential ? { concurrency: 1 } : {}),
    do: body,
    ...(output ? { output } : {}),
    ...(boundary ? { boundary } : {}),
  };
}

/**
 * A multi-instance user, manual or receive task: each instance is a child run of a flow that
 * only waits (`<process>.<task id>`, its wait node named as the task), so every instance is
 * answered on its own (`runs callback <child run> <task id>`) and cancelled with the map.
 */
function waitInstances(element: BpmnElement, wait: RawNode, ctx: ElementContext): RawNode {
  const single: BpmnElement = { $type: element.$type, id: element.id, messageRef: element.messageRef, $attrs: element.$attrs };
  const flow = ctx.childFlow({ $type: 'bpmn:SubProcess', id: element.id, flowElements: [single] });
  return { id: wait.id, ...(wait.name ? { name: wait.name } : {}), type: 'subflow', flow };
}

/** A node for an activity, with its multi-instance; undefined when refused. */
export function activityNode(element: BpmnElement, ctx: ElementContext): RawNode | undefined {
  const id = ctx.idOf(element.id ?? '');
  const node = taskNode(element, ctx, id);
  if (!node) return undefined;
  const loop = element.loopCharacteristics;
  if (!loop) return node;
  if (loop.$type === 'bpmn:MultiInstanceLoopCharacteristics') return multiInstance(element, node, ctx);
  // A standard loop is drawn around the node (loops.ts).
  if (loop.$type === 'bpmn:StandardLoopCharacteristics') return node;
  refuse(ctx.findings, element, `${loop.$type.replace('bpmn:', '')} is not supported`);
  return undefined;
}

/** A catching intermediate event: timer → timer node, message/signal → wait for a signal. */
export function catchNode(element: BpmnElement, ctx: ElementContext): RawNode | undefined {
  const id = ctx.idOf(element.id ?? '');
  const def = definition(element);
  const kind = eventKind(element);
  if ((element.eventDefinitions?.length ?? 0) > 1) {
    refuse(ctx.findings, element, 'an event with several definitions is not supported');
    return undefined;
  }
  if (kind === 'timer' && def) {
    const field = def.timeDuration ? 'timeDuration' : def.timeDate ? 'timeDate' : 'timeCycle';
    const spec = timerSpec(field, def[field]?.body);
    if ('problem' in spec) {
      refuse(ctx.findings, element, spec.problem);
      return undefined;
    }
    return { id, type: 'timer', ...spec };
  }
  if (kind === 'message' || kind === 'signal') {
    const name = signalName(kind === 'message' ? def?.messageRef : def?.signalRef) ?? element.id;
    return { id, type: 'wait', signal: name };
  }
  refuse(ctx.findings, element, `${kind ?? 'a'} catch events are not supported (timer, message and signal are)`);
  return undefined;
}

/** The runloom boundary of a boundary event that leads to node `to`; undefined when refused. */
export function boundaryOf(element: BpmnElement, to: string, ctx: ElementContext): Record<string, unknown> | undefined {
  const def = definition(element);
  const kind = eventKind(element);
  const interrupting = element.cancelActivity !== false;
  if (kind === 'error') {
    const code = def?.errorRef?.errorCode;
    return { on: 'error', ...(code ? { code } : {}), to };
  }
  if (kind === 'timer' && def) {
    if (!def.timeDuration && !(def.timeCycle && interrupting)) {
      refuse(ctx.findings, element, 'a boundary timer needs a timeDuration (or, interrupting, a cycle: its first interval)');
      return undefined;
    }
    const spec = timerSpec(def.timeDuration ? 'timeDuration' : 'timeCycle', (def.timeDuration ?? def.timeCycle)?.body);
    if (!('duration' in spec)) {
      refuse(ctx.findings, element, 'problem' in spec ? spec.problem : 'a boundary timer needs a duration');
      return undefined;
    }
    return { on: 'timer', after: spec.duration, to, ...(interrupting ? {} : { interrupting: false }) };
  }
  if (kind === 'signal' || kind === 'message') {
    const signal = signalName(kind === 'message' ? def?.messageRef : def?.signalRef) ?? element.id;
    return { on: 'signal', signal, to, ...(interrupting ? {} : { interrupting: false }) };
  }
  refuse(ctx.findings, element, `${kind ?? 'plain'} boundary events are not supported (error, timer, signal and message are)`);
  return undefined;
}

/** What an end event becomes; undefined when refused. */
export function endNode(element: BpmnElement, ctx: ElementContext, inScope: boolean): RawNode | undefined {
  const id = ctx.idOf(element.id ?? '');
  const kind = eventKind(element);
  if (kind === undefined) return { id, type: 'end' };
  if (kind === 'terminate' && !inScope) return { id, type: 'end', terminate: true };
  if (kind === 'error' && !inScope) {
    // The run ends in this error: a step that fails with the error's code.
    const error = element.eventDefinitions?.[0]?.errorRef;
    const code = error?.errorCode ?? error?.name ?? 'BPMN_ERROR';
    return { id, type: 'task', action: 'fail', input: { code, message: `error end event '${element.id}'` } };
  }
  refuse(
    ctx.findings,
    element,
    kind === 'terminate' || kind === 'error'
      ? `${kind === 'error' ? 'an error' : 'a terminate'} end event inside a sub-process is not supported`
      : `${kind} end events are not supported (none, terminate, error and signal are)`,
  );
  return undefined;
}

export { label, note };
