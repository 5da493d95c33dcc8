/**
 * Child runs of subflow nodes: started (idempotently, per parent seq), cancelled with their
 * parent, and reporting back to it when they finish.
 */
import {
  type ChildStart,
  type EngineEvent,
  type RunMeta,
  type RunOptions,
  type RunState,
  TERMINAL_STATUSES,
} from '../engine/types.js';
import { toErrorInfo } from '../errors.js';
import { checkStrategyOverride } from '../flow/ai-step-input.js';
import type { CompiledFlow, Limits } from '../flow/compiled.js';
import { flowKey } from '../flow/flow-key.js';
import type { Store } from '../store/store.js';

export interface ChildHost {
  readonly store: Store;
  resolveFlow(flowId: string, version?: number): Promise<CompiledFlow>;
  start(request: {
    flow: CompiledFlow;
    input: unknown;
    parent: RunMeta['parent'];
    options: RunOptions;
    workspace?: string;
  }): Promise<unknown>;
  get(runId: string): Promise<RunState | undefined>;
  deliver(runId: string, event: EngineEvent): void;
  now(): number;
  isClosed(): boolean;
}

/** The child's limits: its flow's own, but never more than what the parent has left. */
function childLimits(flow: CompiledFlow, drawn: Partial<Limits>): Partial<Limits> {
  return {
    maxSteps: Math.min(flow.limits.maxSteps, drawn.maxSteps ?? Number.MAX_SAFE_INTEGER),
    maxTime: Math.min(flow.limits.maxTime, drawn.maxTime ?? Number.MAX_SAFE_INTEGER),
    maxCredits: Math.min(flow.limits.maxCredits, drawn.maxCredits ?? Number.MAX_SAFE_INTEGER),
  };
}

/** Starts a subflow's child run in its parent's workspace, where its flow id resolves. */
export async function startChild(host: ChildHost, parent: RunMeta, seq: number, request: ChildStart): Promise<void> {
  const parentId = parent.id;
  try {
    const existing = await host.store.findChildRun(parentId, seq);
    if (host.isClosed()) return;
    if (existing) {
      // After a restart: a child that finished while its parent was down reports back now.
      const child = await host.get(existing);
      if (child && TERMINAL_STATUSES.has(child.status)) reportToParent(host, child);
      return;
    }
    const flow = await host.resolveFlow(flowKey(parent.workspace, request.flow), request.version);
    checkStrategyOverride(flow, request.strategy, `subflow call '${request.nodeId}'`);
    await host.start({
      ...(parent.workspace === undefined ? {} : { workspace: parent.workspace }),
      flow,
      input: request.input,
      parent: { runId: parentId, seq, nodeId: request.nodeId },
      options: { limits: childLimits(flow, request.limits), ...(request.strategy ? { strategy: request.strategy } : {}) },
    });
  } catch (error) {
    host.deliver(parentId, {
      type: 'child.failed',
      at: host.now(),
      seq,
      error: toErrorInfo(error),
      usage: { steps: 0, credits: 0 },
    });
  }
}

export async function cancelChild(host: ChildHost, parentId: string, seq: number): Promise<void> {
  const childId = await host.store.findChildRun(parentId, seq);
  if (childId) host.deliver(childId, { type: 'cancel.requested', at: host.now(), reason: 'parent_cancelled' });
}

/** A run finished: if it is a child, its parent hears the outcome and the usage it spent. */
export function reportToParent(host: ChildHost, state: RunState): void {
  const parent = state.meta.parent;
  if (!parent) return;
  const usage = { steps: state.usage.steps, credits: state.usage.credits };
  const at = host.now();
  if (state.status === 'completed') {
    host.deliver(parent.runId, { type: 'child.completed', at, seq: parent.seq, output: state.output, usage });
  } else {
    const error = state.error ?? { code: 'CHILD_CANCELLED', message: `child run ${state.meta.id} was cancelled` };
    host.deliver(parent.runId, { type: 'child.failed', at, seq: parent.seq, error, usage });
  }
}
