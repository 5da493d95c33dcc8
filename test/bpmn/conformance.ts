/**
 * The conformance harness: one BPMN file run on Runloom (through the import) and on bpmn-engine,
 * driven the same way — every user/receive task answered in order as soon as it waits, service
 * tasks answering at once, the file's own (short) timers — then compared per activity: how many
 * times each BPMN element completed, and the final status.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { builtinActions } from '../../src/actions/builtins/index.js';
import { importBpmn } from '../../src/bpmn/import.js';
import { SCRIPT_ACTION } from '../../src/bpmn/script/action.js';
import { FlowInvalidError } from '../../src/errors.js';
import { createRunloom } from '../../src/runloom.js';

export type Counts = Record<string, number>;
export interface Outcome {
  readonly status: 'completed' | 'failed' | 'stuck';
  readonly counts: Counts;
}
export type Verdict =
  | { readonly kind: 'same'; readonly runloom: Outcome; readonly engine: Outcome }
  | { readonly kind: 'different'; readonly detail: string; readonly runloom: Outcome; readonly engine: Outcome }
  | { readonly kind: 'refused'; readonly detail: string };

const STUCK_MS = 2000;
/** Actions every Runloom has; the others a file names are services answering at once. */
const PROVIDED = new Set([...builtinActions().map((a) => a.name), 'signal.broadcast', SCRIPT_ACTION]);
/** Every service a file names answers at once with nothing. */
const services = new Proxy(
  {},
  {
    get: (_target, name) =>
      typeof name === 'string'
        ? (...args: unknown[]) => {
            const next = args.at(-1);
            if (typeof next === 'function') next(null, {});
          }
        : undefined,
  },
);

export async function runOnBpmnEngine(xml: string): Promise<Outcome> {
  const listener = new EventEmitter();
  const counts: Counts = {};
  listener.on('activity.end', (api: { id: string }) => {
    counts[api.id] = (counts[api.id] ?? 0) + 1;
  });
  listener.on('activity.wait', (api: { signal: () => void }) => setImmediate(() => api.signal()));
  const engine = new Engine({ name: 'conformance', source: xml, services } as never);
  let timer: NodeJS.Timeout | undefined;
  const status = await new Promise<Outcome['status']>((resolve) => {
    timer = setTimeout(() => resolve('stuck'), STUCK_MS);
    engine.once('end', () => resolve('completed'));
    engine.once('error', () => resolve('failed'));
    engine.execute({ listener, services, variables: {} } as never, (error: unknown) => {
      if (error) resolve('failed');
    });
  });
  clearTimeout(timer);
  if (status === 'stuck') void engine.stop();
  return { status, counts };
}

/** Runs the imported flow in memory; every action the flow calls that is not built in answers `{}` at once. */
export async function runOnRunloom(xml: string, name: string): Promise<Outcome | { refused: string }> {
  let imported: Awaited<ReturnType<typeof importBpmn>>;
  try {
    imported = await importBpmn(xml, { sourceName: name, scriptAction: SCRIPT_ACTION });
  } catch (error) {
    if (error instanceof FlowInvalidError) return { refused: error.problems.map((p) => `${p.path}: ${p.message}`).join('; ') };
    throw error;
  }
  const flows = [imported.flow, ...imported.called];
  const wanted = new Set<string>();
  for (const flow of flows)
    for (const node of flow.nodes as { action?: string; do?: { action?: string } }[]) {
      const action = node.action ?? node.do?.action;
      if (action && !PROVIDED.has(action)) wanted.add(action);
    }
  const actions = [...wanted].map((action) =>
    defineAction({ name: action, description: 'answers at once', input: z.unknown(), run: () => ({}) }),
  );
  const runloom = await createRunloom({ store: 'memory:', actions, bpmnScripts: true });
  try {
    try {
      await runloom.flows.publishAll(flows.map((source) => ({ source, sourceName: name })));
    } catch (error) {
      if (error instanceof FlowInvalidError) return { refused: error.problems.map((p) => `${p.path}: ${p.message}`).join('; ') };
      throw error;
    }
    const started = await runloom.runs.start(imported.flow.id, {});
    const runId = started.id;
    const deadline = Date.now() + STUCK_MS;
    let status: Outcome['status'] = 'stuck';
    while (Date.now() < deadline) {
      const state = await runloom.runs.state(runId);
      if (state.status === 'completed' || state.status === 'failed') {
        status = state.status;
        break;
      }
      const waiting = state.tokens.find(
        (t) => t.status === 'waiting' && (t.waitingFor === 'callback' || t.waitingFor === 'signal'),
      );
      if (waiting) {
        const flow = await runloom.flows.compiled(imported.flow.id);
        const node = flow.nodes[waiting.node] as { id: string; signal?: string };
        if (waiting.waitingFor === 'signal' && node.signal) await runloom.runs.signal(runId, node.signal, {});
        else await runloom.runs.callback(runId, node.id, { status: 'completed', output: {} });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // A call activity runs as a child run: its elements count too.
    const counts: Counts = {};
    for (const run of await runloom.runs.list()) {
      for (const [id, n] of Object.entries(await runloomCounts(runloom, run.id, run.flowId))) counts[id] = (counts[id] ?? 0) + n;
    }
    return { status, counts };
  } finally {
    await runloom.close();
  }
}

async function runloomCounts(runloom: Awaited<ReturnType<typeof createRunloom>>, runId: string, flowId: string): Promise<Counts> {
  const flow = await runloom.flows.compiled(flowId);
  const state = await runloom.runs.state(runId);
  const events = await runloom.runs.events(runId);
  const counts: Counts = {};
  const bump = (id: string | undefined, by = 1) => {
    if (id !== undefined) counts[id] = (counts[id] ?? 0) + by;
  };
  for (const node of flow.nodes) {
    const joins = (node.type === 'parallel' || node.type === 'inclusive') && node.incoming.length > 1;
    if (node.type === 'start') bump(node.id);
    else if (node.type === 'end') bump(node.id, events.filter((e) => e.type === 'branch.ended' && e.nodeId === node.id).length);
    else if (joins) bump(node.id, events.filter((e) => e.type === 'branch.joined' && e.nodeId === node.id).length);
    // A task counts when its step completes (bpmn-engine counts an activity that ends, not one that fails).
    else if (node.type === 'task')
      bump(node.id, events.filter((e) => e.type === 'step.completed' && e.nodeId === node.id).length);
    else if ((state.visits[node.index] ?? 0) > 0) bump(node.id, state.visits[node.index]);
  }
  for (const id of Object.keys(counts)) if (counts[id] === 0) delete counts[id];
  return counts;
}

/** Compares the two runs over the BPMN elements (nodes the import added are not in the file). */
export async function compare(xml: string, name: string): Promise<Verdict> {
  const runloom = await runOnRunloom(xml, name);
  if ('refused' in runloom) return { kind: 'refused', detail: runloom.refused };
  const engine = await runOnBpmnEngine(xml);
  const diffs: string[] = [];
  const ids = new Set([...Object.keys(engine.counts), ...Object.keys(runloom.counts)]);
  for (const id of [...ids].sort()) {
    if (!xml.includes(`id="${id}"`)) continue;
    const a = runloom.counts[id] ?? 0;
    const b = engine.counts[id] ?? 0;
    if (a !== b) diffs.push(`${id} ${a} vs ${b}`);
  }
  if (runloom.status !== engine.status) diffs.unshift(`status ${runloom.status} vs ${engine.status}`);
  return diffs.length === 0
    ? { kind: 'same', runloom, engine }
    : { kind: 'different', detail: diffs.join(', '), runloom, engine };
}
