/**
 * What the `runs …` commands need of runs, from a local store (the library) or from a server
 * (`--server`): the same commands, the same output and exit codes either way.
 */
import type { RunView } from '../api/runs.js';
import type { LiveEvent } from '../bus/bus.js';
import { type RunEvent, type RunState, TERMINAL_STATUSES } from '../engine/types.js';
import type { ErrorInfo } from '../errors.js';
import type { Limits } from '../flow/compiled.js';
import type { Runloom } from '../runloom.js';
import type { RunFilter, RunSummary, StepRecordRow } from '../store/store.js';
import type { ApiClient } from './server-client.js';
import { dataOf, sseBlocks } from './sse-blocks.js';

type Callback = { status: 'completed'; output?: unknown } | { status: 'failed'; error: ErrorInfo };

export interface RunsClient {
  get(runId: string): Promise<RunView>;
  list(filter: RunFilter): Promise<RunSummary[]>;
  events(runId: string, after: number): Promise<RunEvent[]>;
  steps(runId: string): Promise<StepRecordRow[]>;
  /** The run's last event seq (a watch after a control starts there). */
  lastSeq(runId: string): Promise<number>;
  pause(runId: string): Promise<RunView>;
  resume(runId: string): Promise<RunView>;
  cancel(runId: string): Promise<RunView>;
  retry(runId: string, nodeId?: string): Promise<RunView>;
  signal(runId: string, name: string, payload: unknown): Promise<RunView>;
  callback(runId: string, nodeId: string, result: Callback): Promise<RunView>;
  decide(runId: string, nodeId: string, to: string, reason?: string): Promise<RunView>;
  /** A person's message to a conversation; `end` ends it. */
  say(runId: string, nodeId: string, text: string, end: boolean): Promise<RunView>;
  raiseLimits(runId: string, limits: Partial<Limits>): Promise<RunView>;
  /** Events after `after`, then as they come, with the live ones (no seq), until `signal` aborts. */
  follow(runId: string, after: number, signal: AbortSignal): AsyncIterable<RunEvent | LiveEvent>;
  /** Resolves once the run settles: ended, paused, or waiting for a person or a system. */
  settled(runId: string): Promise<RunView>;
  /** The signals the run's flow listens for (its waits and boundaries); undefined when unknown here. */
  signalsHeard(runId: string): Promise<{ readonly flow: string; readonly names: readonly string[] } | undefined>;
}

const BY = 'cli';

/** Waiting on a timer, a retry or a child run resolves by itself; anything else needs someone. */
function isSettled(state: Pick<RunState, 'status' | 'tokens'>): boolean {
  if (TERMINAL_STATUSES.has(state.status) || state.status === 'paused') return true;
  if (state.status !== 'waiting') return false;
  return state.tokens.every((t) => t.status !== 'waiting' || (t.waitingFor !== undefined && FOR_SOMEONE.includes(t.waitingFor)));
}

/** What a run waits for that only a person or another system gives. */
const FOR_SOMEONE: readonly string[] = ['signal', 'callback', 'decision', 'message'];

/** The same rule, from what a view shows (a server answers views, not states). */
const isSettledView = (view: RunView): boolean =>
  ['completed', 'failed', 'cancelled', 'paused'].includes(view.status) ||
  (view.status === 'waiting' && view.waitingOn.every((w) => FOR_SOMEONE.includes(w.waitingFor)));

export function localRuns(runloom: Runloom): RunsClient {
  const runs = runloom.runs;
  return {
    get: (id) => runs.get(id),
    list: (filter) => runs.list(filter),
    events: (id, after) => runs.events(id, after),
    steps: (id) => runs.steps(id),
    lastSeq: async (id) => (await runs.state(id)).eventSeq,
    pause: (id) => runs.pause(id, BY),
    resume: (id) => runs.resume(id, BY),
    cancel: (id) => runs.cancel(id, BY),
    retry: (id, nodeId) => runs.retry(id, nodeId, BY),
    signal: (id, name, payload) => runs.signal(id, name, payload),
    callback: (id, nodeId, result) => runs.callback(id, nodeId, result),
    decide: (id, nodeId, to, reason) => runs.decide(id, nodeId, to, { by: BY, ...(reason ? { reason } : {}) }),
    say: (id, nodeId, text, end) => runs.say(id, nodeId, text, { by: BY, ...(end ? { end } : {}) }),
    raiseLimits: (id, limits) => runs.raiseLimits(id, limits),
    follow: (id, after, signal) => runs.follow(id, { after, untilFinished: false, signal, live: true }),
    settled: (id) => runs.wait(id, isSettled),
    async signalsHeard(id) {
      const { meta } = await runs.state(id);
      const flow = await runloom.flows.compiled(meta.flowId, meta.flowVersion);
      const names = new Set<string>();
      for (const node of flow.nodes) {
        if (node.type === 'wait' && node.signal) names.add(node.signal);
        for (const boundary of node.boundaries) if (boundary.signal) names.add(boundary.signal);
      }
      return { flow: `${meta.flowId}@${meta.flowVersion}`, names: [...names] };
    },
  };
}

const SETTLE_POLL_MS = 200;

export function remoteRuns(api: ApiClient): RunsClient {
  const run = (id: string) => `/v1/runs/${encodeURIComponent(id)}`;
  const post = (id: string, what: string, body: unknown) => api.call<RunView>('POST', `${run(id)}/${what}`, body);
  const get = (id: string) => api.call<RunView>('GET', run(id));
  return {
    get,
    async list(filter) {
      const query = new URLSearchParams();
      if (filter.status) query.set('status', filter.status.join(','));
      if (filter.flowId) query.set('flowId', filter.flowId);
      if (filter.limit) query.set('limit', String(filter.limit));
      return (await api.call<{ runs: RunSummary[] }>('GET', `/v1/runs?${query}`)).runs;
    },
    async events(id, after) {
      return (await api.call<{ events: RunEvent[] }>('GET', `${run(id)}/events?after=${after}&limit=10000`)).events;
    },
    async steps(id) {
      return (await api.call<{ steps: StepRecordRow[] }>('GET', `${run(id)}/steps`)).steps;
    },
    async lastSeq(id) {
      let last = 0;
      for (let batch = await this.events(id, 0); batch.length > 0; batch = await this.events(id, last)) {
        last = (batch.at(-1) as RunEvent).seq;
      }
      return last;
    },
    pause: (id) => post(id, 'pause', { by: BY }),
    resume: (id) => post(id, 'resume', { by: BY }),
    cancel: (id) => post(id, 'cancel', { by: BY }),
    retry: (id, nodeId) => post(id, 'retry', { by: BY, ...(nodeId ? { nodeId } : {}) }),
    signal: (id, name, payload) => post(id, 'signal', { name, ...(payload === undefined ? {} : { payload }) }),
    callback: (id, nodeId, result) =>
      post(
        id,
        `nodes/${encodeURIComponent(nodeId)}/callback`,
        result.status === 'completed' ? result : { status: 'failed', error: result.error },
      ),
    decide: (id, nodeId, to, reason) => post(id, 'decide', { nodeId, to, by: BY, ...(reason ? { reason } : {}) }),
    say: (id, nodeId, text, end) =>
      post(id, `nodes/${encodeURIComponent(nodeId)}/messages`, { text, by: BY, ...(end ? { end } : {}) }),
    raiseLimits: (id, limits) => post(id, 'limits', { limits }),
    async *follow(id, after, signal) {
      // History first, as the library's follow does: a run that settled at once still shows
      // what the control set off; then live, from the last seq read.
      for (const event of await this.events(id, after)) {
        yield event;
        after = event.seq;
      }
      if (signal.aborted) return;
      let response: Response;
      try {
        response = await api.open(`${run(id)}/events/follow?after=${after}`, { accept: 'text/event-stream' }, signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      for await (const block of sseBlocks(response, signal)) {
        const event = dataOf(block, 'run-event') ?? dataOf(block, 'live');
        if (event !== undefined) yield event as RunEvent | LiveEvent;
      }
    },
    async settled(id) {
      for (;;) {
        const view = await get(id);
        if (isSettledView(view)) return view;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    },
    // The API has no route for a flow's signal names: no warning over a server.
    signalsHeard: async () => undefined,
  };
}
