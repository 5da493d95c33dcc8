/** Runs: start, inspect, follow and control (F2.11). Every control is idempotent or refused clearly. */
import { lastReply } from '../ai/journal.js';
import type { Bus, LiveEvent } from '../bus/bus.js';
import { type Progress, progressOf } from '../engine/progress.js';
import { replay } from '../engine/replay.js';
import { type RunEvent, type RunOptions, type RunState, TERMINAL_STATUSES } from '../engine/types.js';
import { type ErrorInfo, notFound } from '../errors.js';
import { checkStrategyOverride } from '../flow/ai-step-input.js';
import { NO_LIMIT } from '../flow/compile-settings.js';
import type { CompiledFlow, LimitAction, LimitName, Limits } from '../flow/compiled.js';
import { type FollowOptions, followRun } from '../runtime/follow.js';
import type { Runtime } from '../runtime/runtime.js';
import { countEndedRuns, pruneEndedRuns } from '../store/retention.js';
import type { RunFilter, RunSummary, StepRecordRow, Store } from '../store/store.js';
import { type FlowsApi, flowKey, splitFlowKey } from './flows.js';
import { checkLimitsAboveUsage } from './limits-check.js';

export interface WaitingOn {
  readonly nodeId: string;
  readonly waitingFor: string;
  readonly signal?: string;
  readonly options?: readonly string[];
  /** A conversation waiting for the person's message: what the model said last. */
  readonly said?: string;
}

function setLimits(limits: Limits): Partial<Limits> {
  const set: Partial<Record<keyof Limits, number>> = {};
  for (const [name, value] of Object.entries(limits) as [keyof Limits, number][]) if (value < NO_LIMIT) set[name] = value;
  return set;
}

export interface RunView {
  readonly id: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly status: RunState['status'];
  readonly reason: RunState['reason'];
  readonly input: unknown;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly usage: RunState['usage'];
  /** The limits set on the run; one nobody set (unlimited) is absent, not 2^53 − 1. */
  readonly limits: Partial<Limits>;
  readonly parentRunId?: string;
  /** A fork: the run and event it was forked from. */
  readonly forkOf?: { readonly runId: string; readonly seq: number };
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly progress: Progress;
  readonly waitingOn: readonly WaitingOn[];
}

/** Where a new run goes: its id (default: a new one) and workspace (default: `default`). */
export interface RunPlacement {
  readonly id?: string;
  readonly workspace?: string;
}

export interface RunsApi {
  /** Starts a run of the latest (or given) version; resolves once its first checkpoint is durable. */
  start(
    flow: string | { flowId: string; version?: number },
    input?: unknown,
    options?: RunOptions,
    placement?: RunPlacement,
  ): Promise<RunView>;
  get(runId: string): Promise<RunView>;
  state(runId: string): Promise<RunState>;
  /** The view of a state `state()` gave (a caller that checked the run first reads it once). */
  viewOf(state: RunState): Promise<RunView>;
  /** The run's state as of event `atSeq` of its log, folded again as replay does (time travel). */
  stateAt(runId: string, atSeq: number): Promise<RunState>;
  /**
   * A new run of the same flow version from the state as of event `atSeq` (its log copied up to
   * there); what came after in the original is done again. `forkOf` links it to the original.
   */
  fork(runId: string, atSeq: number): Promise<RunView>;
  list(filter?: RunFilter): Promise<RunSummary[]>;
  events(runId: string, after?: number, limit?: number): Promise<RunEvent[]>;
  /** With `live: true`, the run's live events too (a model's text as it is written; no seq). */
  follow(runId: string, options: FollowOptions & { readonly live: true }): AsyncGenerator<RunEvent | LiveEvent>;
  follow(runId: string, options?: FollowOptions): AsyncGenerator<RunEvent>;
  steps(runId: string): Promise<StepRecordRow[]>;
  pause(runId: string, by?: string): Promise<RunView>;
  resume(runId: string, by?: string): Promise<RunView>;
  cancel(runId: string, by?: string): Promise<RunView>;
  retry(runId: string, nodeId?: string, by?: string): Promise<RunView>;
  signal(runId: string, name: string, payload?: unknown): Promise<RunView>;
  callback(
    runId: string,
    nodeId: string,
    result: { status: 'completed' | 'failed'; output?: unknown; error?: ErrorInfo },
  ): Promise<RunView>;
  decide(runId: string, nodeId: string, to: string, meta?: { by?: string; reason?: string }): Promise<RunView>;
  /**
   * A person's message to a conversation (an ai step waiting for one); `end` ends it (with or
   * without text). Resolves once the message is durable — with `reply: true`, once the
   * conversation has answered it (it waits for the next message again, or its step ended, or
   * the run is no longer running).
   */
  say(runId: string, nodeId: string, text: string, options?: { end?: boolean; by?: string; reply?: boolean }): Promise<RunView>;
  raiseLimits(runId: string, limits: Partial<Limits>, onLimit?: Partial<Record<LimitName, LimitAction>>): Promise<RunView>;
  /**
   * Retention (F8.4): deletes the runs that ended before `before` (ms) and everything of theirs,
   * a batch per transaction — of one workspace when given; with `dryRun` only counts them.
   */
  prune(before: number, options?: { workspace?: string; dryRun?: boolean }): Promise<number>;
  /** Resolves when the run is completed, failed or cancelled — or when `until` holds. */
  wait(runId: string, until?: (view: RunState) => boolean): Promise<RunView>;
}

const hasEnded = (state: RunState) => TERMINAL_STATUSES.has(state.status);

/** The messages the conversation at node index `node` has heard (its step's journal). */
function messagesHeard(state: RunState, node: number): number {
  const token = state.tokens.find((t) => t.node === node);
  const pending = token?.seq === undefined ? undefined : state.pending[token.seq];
  return pending?.kind === 'step' ? (pending.journal ?? []).filter((unit) => unit.kind === 'message').length : 0;
}

/** The conversation answered a message beyond the `heard` first: it waits again, or it ended, or the run settled. */
function answered(state: RunState, node: number, heard: number): boolean {
  if (state.status !== 'running' && state.status !== 'waiting') return true;
  const token = state.tokens.find((t) => t.node === node);
  if (!token || token.status === 'failed' || token.status === 'ready') return true;
  return token.status === 'waiting' && token.waitingFor === 'message' && messagesHeard(state, node) > heard;
}

/** What a conversation waiting for a message said last (its step's journal). */
function saidBy(state: RunState, seq: number | undefined): { said?: string } {
  const pending = seq === undefined ? undefined : state.pending[seq];
  const said = pending?.kind === 'step' ? lastReply(pending.journal) : undefined;
  return said === undefined ? {} : { said };
}

/**
 * `checkStart` refuses, before a run exists, a flow this process could not execute as it is
 * configured (webhook tasks without a secret or public URL).
 */
export function createRunsApi(
  runtime: Runtime,
  store: Store,
  bus: Bus,
  flows: FlowsApi,
  now: () => number,
  checkStart: (flow: CompiledFlow) => void = () => {},
): RunsApi {
  const view = async (state: RunState): Promise<RunView> =>
    viewWith(state, await flows.compiled(state.meta.flowId, state.meta.flowVersion));
  const viewWith = (state: RunState, flow: CompiledFlow): RunView => {
    const waitingOn: WaitingOn[] = [];
    for (const token of state.tokens) {
      if (token.status !== 'waiting') continue;
      const node = flow.nodes[token.node];
      waitingOn.push({
        nodeId: node.id,
        waitingFor: token.waitingFor ?? 'signal',
        ...(node.type === 'wait' && node.signal ? { signal: node.signal } : {}),
        ...(token.waitingFor === 'decision' ? { options: node.outgoing.map((e) => flow.nodes[flow.edges[e].to].id) } : {}),
        ...(token.waitingFor === 'message' ? saidBy(state, token.seq) : {}),
      });
    }
    return {
      id: state.meta.id,
      flowId: splitFlowKey(state.meta.flowId).flowId,
      flowVersion: state.meta.flowVersion,
      status: state.status,
      reason: state.reason,
      input: state.input,
      // May be a live run's own state (a start's view): what changes in place is copied.
      vars: { ...state.vars },
      // Absent ones undefined, which JSON leaves out: one literal, not spreads (every view).
      output: state.output,
      error: state.error,
      usage: { ...state.usage },
      limits: setLimits(state.limits),
      parentRunId: state.meta.parent?.runId,
      forkOf: state.meta.forkOf,
      createdAt: state.meta.createdAt,
      updatedAt: state.updatedAt,
      progress: progressOf(state, flow),
      waitingOn,
    };
  };
  const state = async (runId: string) => {
    const found = await runtime.get(runId);
    if (!found) throw notFound('run', runId);
    return found;
  };
  const send = async (runId: string, event: Parameters<Runtime['send']>[1]) => view(await runtime.send(runId, event));

  return {
    async start(flow, input, options, placement) {
      const ref = typeof flow === 'string' ? { flowId: flow } : flow;
      const compiled = await flows.compiled(flowKey(placement?.workspace, ref.flowId), ref.version);
      checkStrategyOverride(compiled, options?.strategy, 'run option');
      checkStart(compiled);
      // The view is read from the run's own state once it is durable: no copy of the whole state.
      return runtime.start(
        {
          flow: compiled,
          input: input ?? {},
          ...(options ? { options } : {}),
          ...(placement?.id === undefined ? {} : { id: placement.id }),
          ...(placement?.workspace === undefined ? {} : { workspace: placement.workspace }),
        },
        (state) => viewWith(state, compiled),
      );
    },
    get: async (runId) => view(await state(runId)),
    state,
    viewOf: view,
    async stateAt(runId, atSeq) {
      const current = await state(runId);
      if (atSeq >= current.eventSeq) return current;
      const flow = await flows.compiled(current.meta.flowId, current.meta.flowVersion);
      return replay(current.meta, flow, await store.readEvents(runId, 0, atSeq), atSeq);
    },
    async fork(runId, atSeq) {
      const current = await state(runId);
      const flow = await flows.compiled(current.meta.flowId, current.meta.flowVersion);
      return runtime.fork({ runId, atSeq }, (forked) => viewWith(forked, flow));
    },
    async list(filter = {}) {
      const byKey = filter.flowId === undefined ? filter : { ...filter, flowId: flowKey(filter.workspace, filter.flowId) };
      return (await store.listRuns(byKey)).map((run) => ({ ...run, flowId: splitFlowKey(run.flowId).flowId }));
    },
    async events(runId, after = 0, limit) {
      await state(runId);
      return store.readEvents(runId, after, limit);
    },
    follow: ((runId: string, options?: FollowOptions) => followRun(store, bus, runId, options)) as RunsApi['follow'],
    steps: (runId) => store.listSteps(runId),
    pause: (runId, by) => send(runId, { type: 'pause.requested', at: now(), ...(by ? { by } : {}) }),
    resume: (runId, by) => send(runId, { type: 'resume.requested', at: now(), ...(by ? { by } : {}) }),
    cancel: (runId, by) => send(runId, { type: 'cancel.requested', at: now(), ...(by ? { by } : {}) }),
    retry: (runId, nodeId, by) =>
      send(runId, { type: 'retry.requested', at: now(), ...(nodeId ? { nodeId } : {}), ...(by ? { by } : {}) }),
    signal: (runId, name, payload) =>
      send(runId, { type: 'signal.received', at: now(), name, ...(payload === undefined ? {} : { payload }) }),
    callback: (runId, nodeId, result) => send(runId, { type: 'callback.received', at: now(), nodeId, ...result }),
    decide: (runId, nodeId, to, meta) => send(runId, { type: 'decision.made', at: now(), nodeId, to, ...meta }),
    async say(runId, nodeId, text, options) {
      const event = {
        type: 'message.received' as const,
        at: now(),
        nodeId,
        text,
        ...(options?.end ? { end: true } : {}),
        ...(options?.by === undefined ? {} : { by: options.by }),
      };
      if (!options?.reply) return send(runId, event);
      const before = await state(runId);
      const flow = await flows.compiled(before.meta.flowId, before.meta.flowVersion);
      const node = flow.nodeIndex.get(nodeId);
      if (node === undefined) throw notFound('node', nodeId);
      // Counted, not compared by seq: on a shared store the message may wait in the run's inbox.
      const heard = messagesHeard(before, node);
      await runtime.send(runId, event);
      return viewWith(await runtime.waitFor(runId, (s) => answered(s, node, heard)), flow);
    },
    prune(before, options = {}) {
      const workspace = options.workspace;
      if (options.dryRun) return countEndedRuns(store, before, workspace);
      return pruneEndedRuns(store, before, { workspace, deleted: (ids) => runtime.forgetDeleted(ids) });
    },
    async raiseLimits(runId, limits, onLimit) {
      checkLimitsAboveUsage(await state(runId), limits, now());
      return send(runId, { type: 'limits.raised', at: now(), limits, ...(onLimit ? { onLimit } : {}) });
    },
    async wait(runId, until) {
      return view(await runtime.waitFor(runId, until ?? hasEnded));
    },
  };
}
