/**
 * Steps across workers (F3.3): a worker holding a run whose step needs an action it does not
 * have offers the step in the store; a worker that has the action claims it, runs it, and puts
 * the result in the run's inbox, where the run's holder applies it like any step result.
 */
import type { Bus } from '../bus/bus.js';
import type { Effect, EngineEvent, RunMeta } from '../engine/types.js';
import { RunloomError, toErrorInfo } from '../errors.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Leases, StepTask } from '../store/store.js';
import type { Executors } from './executors.js';
import type { OutputLimits } from './output-limits.js';
import { activityOf, StepCall, stepResultEvent } from './step-call.js';

type ExecuteEffect = Extract<Effect, { type: 'step.execute' }>;

export interface OfferedStepsHost {
  readonly leases: Leases;
  readonly bus: Bus;
  readonly owner: string;
  readonly executors: Executors;
  readonly outputLimits: OutputLimits;
  resolveFlow(flowId: string, version?: number): Promise<CompiledFlow>;
  now(): number;
  log(message: string, data?: unknown): void;
}

export function offerStep(host: OfferedStepsHost, meta: RunMeta, action: string, effect: ExecuteEffect): void {
  const task: StepTask = {
    runId: meta.id,
    seq: effect.seq,
    action,
    flowId: meta.flowId,
    flowVersion: meta.flowVersion,
    nodeId: effect.nodeId,
    attempt: effect.attempt,
    input: effect.input,
    idempotencyKey: effect.idempotencyKey,
    ...(effect.item === undefined ? {} : { item: effect.item }),
  };
  host.leases.offerStep(task).then(
    () => host.bus.publishWake({ action }),
    (error) => host.log('step offer failed', { runId: meta.id, seq: effect.seq, error: toErrorInfo(error) }),
  );
}

/** Runs a claimed step here and hands its result to its run's inbox. */
export async function runOfferedStep(host: OfferedStepsHost, task: StepTask): Promise<void> {
  let event: EngineEvent;
  try {
    const flow = await host.resolveFlow(task.flowId, task.flowVersion);
    const node = activityOf(flow, task.nodeId);
    const call = new StepCall(
      task.runId,
      node,
      {
        type: 'step.execute',
        seq: task.seq,
        nodeId: task.nodeId,
        nodeType: node.type,
        attempt: task.attempt,
        input: task.input,
        idempotencyKey: task.idempotencyKey,
        ...(node.timeout === undefined ? {} : { timeout: node.timeout }),
        ...(task.item === undefined ? {} : { item: task.item }),
      },
      host.log,
    );
    const executor = host.executors[node.type];
    if (!executor) throw new RunloomError('NOT_EXECUTABLE', `no executor is registered for '${node.type}' nodes`);
    event = stepResultEvent(task, host.now(), await executor(call), undefined, host.outputLimits);
  } catch (error) {
    event = stepResultEvent(task, host.now(), undefined, error, host.outputLimits);
  }
  if (await host.leases.finishStep(host.owner, task.runId, task.seq, event, host.now())) {
    host.bus.publishWake({ runId: task.runId });
  }
}
