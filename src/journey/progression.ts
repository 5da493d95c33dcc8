/**
 * Progression (F6.4), one mechanism. An arrival at a mapped ux node is written with the move
 * that makes it (moves.ts): the outbox. This loop acts on open arrivals whose run has not
 * started or has ended:
 *  - not started: start the run under the arrival's `runId`. A second start of the same id (two
 *    processes, or a crash after the start) is refused by the store's key: at most one run;
 *  - completed: in ONE write, settle the arrival, move the entity along the spine, log the
 *    events and make the next arrival (the next run's start) — or complete the journey;
 *  - failed or cancelled: the entity stays, marked failed, with a failure event; `retry` makes
 *    a new arrival;
 *  - a side effect (a system edge's run) ended: a `system.completed` or `system.failed` event,
 *    the entity untouched;
 *  - superseded (the entity was moved while its run was working): cancel the run, then settle the
 *    arrival with a `run.cancelled` event.
 * Each write is conditional on the entity's version and its current arrival, so two processes
 * (or a process and its restarted self) acting on the same arrival move the entity once.
 */
import type { RunsApi } from '../api/runs.js';
import { type RunStatus, TERMINAL_STATUSES } from '../engine/types.js';
import { RequestError, toErrorInfo } from '../errors.js';
import type { PendingArrival } from '../store/journey-records.js';
import type { JourneyContext } from './context.js';
import { arriveAt, changeEntity, entityView, isSideEffect, outbox, type Trigger } from './moves.js';

export interface ProgressionOptions {
  /** How often the store is polled for arrivals to act on (ms, default 500); runs started here wake it at once. */
  readonly intervalMs?: number;
  readonly log?: (message: string, data?: unknown) => void;
}

export interface Progression {
  /** One pass over the arrivals to act on; resolves with how many it acted on. */
  tick(): Promise<number>;
  /** Polls until closed. */
  start(): void;
  /** Asks for a pass soon (a run ended, an entity arrived). */
  wake(): void;
  close(): Promise<void>;
}

const BATCH = 200;

export function createProgression(ctx: JourneyContext, runs: RunsApi, options: ProgressionOptions = {}): Progression {
  const intervalMs = options.intervalMs ?? 500;
  const log = options.log ?? (() => {});
  const busy = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let closed = false;

  async function startRun(a: PendingArrival): Promise<void> {
    try {
      await runs.start({ flowId: a.flowId, ...(a.version === undefined ? {} : { version: a.version }) }, a.input, undefined, {
        id: a.runId,
        workspace: a.workspace,
      });
    } catch (error) {
      // Started meanwhile (another process, or our own start before a crash): that run counts.
      if (
        await runs.get(a.runId).then(
          () => true,
          () => false,
        )
      )
        return;
      if (error instanceof RequestError)
        return isSideEffect(a) ? settleEffect(a, toErrorInfo(error)) : fail(a, toErrorInfo(error));
      throw error;
    }
    // Runs that end here wake the loop instead of waiting for the next poll.
    runs.wait(a.runId).then(wake, () => {});
  }

  async function complete(a: PendingArrival): Promise<void> {
    const run = await runs.get(a.runId);
    const [spine, mappings] = await Promise.all([ctx.spine(a.workspace, a.journeyId), ctx.mappings(a.workspace, a.journeyId)]);
    await changeEntity(ctx, a.workspace, a.entityId, (entity) => {
      const done = { id: a.id, state: 'done' as const };
      if (entity.arrivalId !== a.id) return { entity, events: [], settle: done }; // superseded (moved meanwhile)
      const completed = { type: 'run.completed', data: { runId: a.runId, nodeId: a.nodeId } };
      const next = spine.next(a.nodeId, { entity: entityView(entity), run: { id: run.id, output: run.output }, now: ctx.now() });
      if (next === undefined) {
        const { nodeId: _, arrivalId: __, ...rest } = entity;
        return {
          entity: { ...rest, status: 'completed' },
          events: [completed, { type: 'journey.completed', data: { from: a.nodeId } }],
          settle: done,
        };
      }
      const moved = { ...entity, nodeId: next, status: 'active' as const };
      const arrived = arriveAt(ctx, spine, mappings, moved, next, 'run');
      return {
        entity: { ...moved, arrivalId: arrived.arrivalId },
        events: [
          completed,
          { type: 'moved', data: { from: a.nodeId, to: next, source: 'run', runId: a.runId } },
          ...arrived.events,
        ],
        settle: done,
        ...outbox(arrived),
      };
    });
  }

  /** Why an arrival's run did not complete: its error, or its cancellation. */
  async function failure(a: PendingArrival): Promise<unknown> {
    return (await runs.get(a.runId)).error ?? { code: 'RUN_CANCELLED', message: `run '${a.runId}' was cancelled` };
  }

  async function fail(a: PendingArrival, error?: unknown): Promise<void> {
    const reason = error ?? (await failure(a));
    await changeEntity(ctx, a.workspace, a.entityId, (entity) => {
      const failed = { id: a.id, state: 'failed' as const };
      if (entity.arrivalId !== a.id) return { entity, events: [], settle: failed };
      return {
        entity: { ...entity, status: 'failed' },
        events: [{ type: 'run.failed', data: { runId: a.runId, nodeId: a.nodeId, error: reason } }],
        settle: failed,
      };
    });
  }

  /**
   * The entity was moved away from this arrival: its run is cancelled through the runs API, as a
   * person would, and once it has ended (or never started) the arrival is settled, the
   * cancellation on the entity's timeline.
   */
  async function supersede(a: PendingArrival): Promise<void> {
    if (a.runStatus !== undefined && !TERMINAL_STATUSES.has(a.runStatus as RunStatus)) {
      await runs.cancel(a.runId, 'journey');
      runs.wait(a.runId).then(wake, () => {});
      return;
    }
    await changeEntity(ctx, a.workspace, a.entityId, (entity) => ({
      entity,
      events:
        a.runStatus === 'cancelled'
          ? [{ type: 'run.cancelled', data: { runId: a.runId, nodeId: a.nodeId, reason: 'moved' } }]
          : [],
      settle: { id: a.id, state: 'done' },
    }));
  }

  /** A side effect's run ended (or could not start): logged on the timeline; the entity stays where it is. */
  async function settleEffect(a: PendingArrival, error?: unknown): Promise<void> {
    const reason = error ?? (a.runStatus === 'completed' ? undefined : await failure(a));
    const { systemNodeId } = (a.input as { trigger: Trigger }).trigger;
    await changeEntity(ctx, a.workspace, a.entityId, (entity) => ({
      entity,
      events: [
        reason === undefined
          ? { type: 'system.completed', data: { runId: a.runId, systemNodeId } }
          : { type: 'system.failed', data: { runId: a.runId, systemNodeId, error: reason } },
      ],
      settle: { id: a.id, state: reason === undefined ? 'done' : 'failed' },
    }));
  }

  async function act(a: PendingArrival): Promise<void> {
    if (a.state === 'superseded') await supersede(a);
    else if (a.runStatus === undefined) await startRun(a);
    else if (isSideEffect(a)) await settleEffect(a);
    else if (a.runStatus === 'completed') await complete(a);
    else await fail(a);
  }

  async function pass(): Promise<number> {
    const pending = (await ctx.store.journeys.pendingArrivals(BATCH)).filter((a) => !busy.has(a.id));
    await Promise.all(
      pending.map(async (a) => {
        busy.add(a.id);
        try {
          await act(a);
        } catch (error) {
          log('journey arrival could not be acted on; retried on the next pass', { arrivalId: a.id, error: toErrorInfo(error) });
        } finally {
          busy.delete(a.id);
        }
      }),
    );
    return pending.length;
  }

  function tick(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        void tick();
      }
    });
    return running;
  }

  function wake(): void {
    if (!closed) void tick().catch(() => {});
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      tick()
        .catch((error) => log('journey progression pass failed', toErrorInfo(error)))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    tick,
    wake,
    start: schedule,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
