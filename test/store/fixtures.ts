/**
 * Minimal valid RunState values and checkpoints for the store contract. Plain literals: the store
 * must round-trip whatever the engine hands it, so nothing here depends on the engine.
 */
import type { RunEvent, RunMeta, RunState, RunStatus } from '../../src/engine/types.js';
import type { Checkpoint, StepRow } from '../../src/store/store.js';

export interface RunFixture {
  readonly id: string;
  readonly flowId?: string;
  readonly flowVersion?: number;
  readonly status?: RunStatus;
  readonly createdAt?: number;
  readonly parent?: RunMeta['parent'];
  readonly eventSeq?: number;
  readonly vars?: Record<string, unknown>;
}

/** A run standing on one running task, with enough nesting to catch lossy round trips. */
export function runState(f: RunFixture): RunState {
  const createdAt = f.createdAt ?? 1_700_000_000_000;
  return {
    meta: {
      id: f.id,
      flowId: f.flowId ?? 'orders',
      flowVersion: f.flowVersion ?? 1,
      createdAt,
      ...(f.parent ? { parent: f.parent } : {}),
      options: { env: { region: 'eu' } },
    },
    status: f.status ?? 'running',
    reason: f.status === 'completed' ? 'completed' : 'started',
    input: { orderId: 'o-1', lines: [{ sku: 'A', qty: 2 }], note: null },
    vars: f.vars ?? { total: 42.5 },
    steps: { fetch: { status: 'completed', output: { ok: true }, attempt: 1, at: createdAt + 5 } },
    tokens: [{ id: 1, node: 2, status: 'running', branch: '0', attempt: 1, visit: 0, seq: 3 }],
    joins: {},
    pending: {
      3: {
        kind: 'step',
        token: 1,
        branch: '0',
        node: 2,
        attempt: 1,
        startedAt: createdAt + 6,
        estimate: 1,
        input: { a: 1 },
        idempotencyKey: `${f.id}:task:1:0`,
      },
    },
    signals: [],
    visits: [1, 1, 1],
    usage: { steps: 3, credits: 1, activeMs: 12 },
    reserved: 1,
    activeSince: createdAt,
    limits: { maxSteps: 1000, maxTime: 60_000, maxCredits: Number.MAX_SAFE_INTEGER, maxParallel: 8 },
    onLimit: { maxSteps: 'fail', maxTime: 'fail', maxCredits: 'pause' },
    branchFailed: false,
    ended: 0,
    nextSeq: 4,
    nextToken: 2,
    nextRace: 0,
    eventSeq: f.eventSeq ?? 0,
    updatedAt: createdAt + 10,
  };
}

export const event = (seq: number, type = 'step.completed', extra: Partial<RunEvent> = {}): RunEvent => ({
  seq,
  type,
  at: 1_700_000_000_000 + seq,
  ...extra,
});

export const stepRow = (seq: number, extra: Partial<StepRow> = {}): StepRow => ({
  seq,
  nodeId: `n${seq}`,
  branch: '0',
  attempt: 1,
  status: 'completed',
  input: { x: seq },
  output: { y: seq * 2 },
  startedAt: 1_700_000_000_000 + seq,
  endedAt: 1_700_000_000_010 + seq,
  ...extra,
});

/** A checkpoint with nothing but the state, to be extended per test. */
export const checkpoint = (state: RunState, extra: Partial<Checkpoint> = {}): Checkpoint => ({
  state,
  events: [],
  steps: [],
  timersSet: [],
  timersCleared: [],
  ...extra,
});

/** The first checkpoint of a run: inserts it, with its `run.started` event. */
export const created = (state: RunState, extra: Partial<Checkpoint> = {}): Checkpoint =>
  checkpoint({ ...state, eventSeq: 1 }, { created: true, events: [event(1, 'run.started', { data: state.input })], ...extra });
