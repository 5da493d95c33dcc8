/**
 * Property tests of the engine core. fast-check generates well-formed, block-structured flows —
 * nested parallel and inclusive splits with their matching joins, exclusive decisions with a
 * merge, loops (a decision with a back edge guarded by a counter, or unbounded and stopped by
 * maxSteps), tasks and timers in between — and runs each with a random completion order of the
 * steps in flight. On a failure fast-check prints the seed and the shrunk counterexample;
 * re-run it with `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RunEvent, type RunState, replay } from '../../src/engine/index.js';
import { flow, type RunDriver, startRun, type TestFlow } from './driver.js';

// ---------------------------------------------------------------- the shape of generated flows

type Block = readonly Element[];
type Element =
  | { readonly kind: 'task' }
  | { readonly kind: 'timer'; readonly ms: number }
  /** A task whose first attempt fails (retryable); retried after `delay` ms (0: at once). */
  | { readonly kind: 'flaky'; readonly delay: number }
  | { readonly kind: 'map'; readonly items: number; readonly concurrency: number; readonly flaky: boolean }
  | { readonly kind: 'parallel'; readonly branches: readonly Block[] }
  /** `anchor`: the branch that is a default edge (taken only when no flag holds) or a plain edge (always). */
  | {
      readonly kind: 'inclusive';
      readonly branches: readonly Block[];
      readonly anchor: number;
      readonly anchorIsDefault: boolean;
    }
  | { readonly kind: 'decision'; readonly branches: readonly Block[]; readonly defaultAt: number }
  /** times 0: unbounded (`when: "true"`), stopped only by maxSteps. */
  | { readonly kind: 'loop'; readonly body: Block; readonly times: number };

const FLAGS = 32;

const { block: blockArb } = fc.letrec<{ block: Block; element: Element }>((tie) => ({
  block: fc.array(tie('element'), { minLength: 1, maxLength: 3 }),
  element: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'flow' },
    // the first one is what fast-check falls back to at max depth
    fc.constant({ kind: 'task' as const }),
    fc.record({ kind: fc.constant('timer' as const), ms: fc.integer({ min: 1, max: 60_000 }) }),
    fc.record({ kind: fc.constant('flaky' as const), delay: fc.constantFrom(0, 1000) }),
    fc.record({
      kind: fc.constant('map' as const),
      items: fc.integer({ min: 0, max: 5 }),
      concurrency: fc.integer({ min: 1, max: 3 }),
      flaky: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('parallel' as const), branches: fc.array(tie('block'), { minLength: 2, maxLength: 3 }) }),
    fc
      .record({
        kind: fc.constant('inclusive' as const),
        branches: fc.array(tie('block'), { minLength: 2, maxLength: 3 }),
        anchor: fc.nat(),
        anchorIsDefault: fc.boolean(),
      })
      .map((e) => ({ ...e, anchor: e.anchor % e.branches.length })),
    fc
      .record({
        kind: fc.constant('decision' as const),
        branches: fc.array(tie('block'), { minLength: 2, maxLength: 3 }),
        defaultAt: fc.nat(),
      })
      .map((e) => ({ ...e, defaultAt: e.defaultAt % e.branches.length })),
    fc.record({ kind: fc.constant('loop' as const), body: tie('block'), times: fc.integer({ min: 0, max: 3 }) }),
  ),
}));

interface Built {
  readonly nodes: Record<string, unknown>[];
  readonly edges: Record<string, unknown>[];
  /** parallel/inclusive split id → its join id */
  readonly pairs: Map<string, string>;
}

/** Turns a block into runloom/v1 nodes and edges (a split always gets its matching join). */
function build(root: Block): Built {
  const nodes: Record<string, unknown>[] = [{ id: 'start', type: 'start' }];
  const edges: Record<string, unknown>[] = [];
  const pairs = new Map<string, string>();
  let n = 0;
  let flag = 0;
  const nextFlag = () => `input.f[${flag++ % FLAGS}]`;

  /** Emits an element; returns its entry node and exit node (and how the exit edge must be marked). */
  function element(e: Element): { entry: string; exit: string; exitDefault?: boolean } {
    const k = n++;
    switch (e.kind) {
      case 'task':
        nodes.push({ id: `t${k}`, type: 'task', action: 'work', input: { k }, output: `t${k}`, cost: 1 });
        return { entry: `t${k}`, exit: `t${k}` };
      case 'timer':
        nodes.push({ id: `tm${k}`, type: 'timer', duration: e.ms });
        return { entry: `tm${k}`, exit: `tm${k}` };
      case 'flaky':
        nodes.push({
          id: `f${k}`,
          type: 'task',
          action: 'flaky',
          output: `f${k}`,
          retry: { maxAttempts: 2, backoff: 'fixed', initialDelay: e.delay },
        });
        return { entry: `f${k}`, exit: `f${k}` };
      case 'map':
        nodes.push({
          id: `m${k}`,
          type: 'map',
          items: Array.from({ length: e.items }, (_, i) => i),
          concurrency: e.concurrency,
          do: e.flaky
            ? {
                type: 'task',
                action: 'flaky',
                input: { i: '=item' },
                retry: { maxAttempts: 2, backoff: 'fixed', initialDelay: 500 },
              }
            : { type: 'task', action: 'work', input: { k: '=item' }, cost: 5 },
          output: `m${k}`,
        });
        return { entry: `m${k}`, exit: `m${k}` };
      case 'parallel':
      case 'inclusive': {
        const split = `${e.kind === 'parallel' ? 'p' : 'i'}${k}`;
        const join = `${split}j`;
        nodes.push({ id: split, type: e.kind });
        e.branches.forEach((b, i) => {
          const sub = block(b);
          const edge: Record<string, unknown> = { from: split, to: sub.entry };
          if (e.kind === 'inclusive') {
            if (i !== e.anchor) edge.when = nextFlag();
            else if (e.anchorIsDefault) edge.default = true;
          }
          edges.push(edge);
          edges.push({ from: sub.exit, to: join, ...(sub.exitDefault ? { default: true } : {}) });
        });
        nodes.push({ id: join, type: e.kind });
        pairs.set(split, join);
        return { entry: split, exit: join };
      }
      case 'decision': {
        const pick = `d${k}`;
        const merge = `d${k}m`;
        nodes.push({ id: pick, type: 'decision' });
        e.branches.forEach((b, i) => {
          const sub = block(b);
          edges.push({ from: pick, to: sub.entry, ...(i === e.defaultAt ? { default: true } : { when: nextFlag() }) });
          edges.push({ from: sub.exit, to: merge, ...(sub.exitDefault ? { default: true } : {}) });
        });
        nodes.push({ id: merge, type: 'decision' });
        return { entry: pick, exit: merge };
      }
      case 'loop': {
        // init (counter = 0) → head → body → inc → check ─back→ head, check ─default→ next
        const init = `l${k}i`;
        const head = `l${k}h`;
        const inc = `l${k}k`;
        const check = `l${k}c`;
        const counter = `loop${k}`;
        nodes.push({ id: init, type: 'task', action: 'zero', output: counter });
        nodes.push({ id: head, type: 'decision' });
        const sub = block(e.body);
        nodes.push({ id: inc, type: 'task', action: 'inc', input: { v: `=vars.${counter}` }, output: counter });
        nodes.push({ id: check, type: 'decision' });
        edges.push({ from: init, to: head });
        edges.push({ from: head, to: sub.entry });
        edges.push({ from: sub.exit, to: inc, ...(sub.exitDefault ? { default: true } : {}) });
        edges.push({ from: inc, to: check });
        edges.push({ from: check, to: head, when: e.times === 0 ? 'true' : `vars.${counter} < ${e.times}` });
        return { entry: init, exit: check, exitDefault: true };
      }
    }
  }

  function block(b: Block): { entry: string; exit: string; exitDefault?: boolean } {
    const parts = b.map(element);
    for (let i = 1; i < parts.length; i++) {
      edges.push({ from: parts[i - 1].exit, to: parts[i].entry, ...(parts[i - 1].exitDefault ? { default: true } : {}) });
    }
    return { entry: parts[0].entry, exit: parts[parts.length - 1].exit, exitDefault: parts[parts.length - 1].exitDefault };
  }

  const body = block(root);
  nodes.push({ id: 'done', type: 'end' });
  edges.push({ from: 'start', to: body.entry });
  edges.push({ from: body.exit, to: 'done', ...(body.exitDefault ? { default: true } : {}) });
  return { nodes, edges, pairs };
}

const MAX_STEPS = 400;

const actions = {
  work: ({ k }: { k: number }) => ({ k }),
  flaky: (input: unknown, ctx: { attempt: number }) => {
    if (ctx.attempt === 1) throw Object.assign(new Error('first attempt fails'), { code: 'FLAKY', retryable: true });
    return input;
  },
  zero: () => 0,
  inc: ({ v }: { v: number }) => v + 1,
};

function compile(s: Pick<Scenario, 'root' | 'maxParallel' | 'maxCredits' | 'onLimit'>): { test: TestFlow; built: Built } {
  const built = build(s.root);
  const limits = {
    maxSteps: MAX_STEPS,
    maxTime: '1000d',
    maxParallel: s.maxParallel,
    ...(s.maxCredits === null ? {} : { maxCredits: s.maxCredits }),
  };
  const test = flow(
    {
      format: 'runloom/v1',
      id: 'generated',
      defaults: { limits, onLimit: s.onLimit },
      nodes: built.nodes,
      edges: built.edges,
    },
    actions,
  );
  return { test, built };
}

const scenario = fc.record({
  root: blockArb,
  flags: fc.array(fc.boolean(), { minLength: FLAGS, maxLength: FLAGS }),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
  maxParallel: fc.integer({ min: 1, max: 6 }),
  /** Tasks cost 1 credit, map items 5 (so that budgets run out inside maps too); null: no credit limit. */
  maxCredits: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 3 }),
  onLimit: fc.constantFrom('fail' as const, 'pause' as const),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/**
 * Runs a scenario to its end. Each move, chosen by the scenario's picks, executes one of the
 * steps in flight (any of them: completion order is random) or fires the next timer while
 * steps may still be in flight (so retries and timers race with running steps).
 */
function play(s: Scenario, test: TestFlow, json = false): RunDriver {
  let i = 0;
  const next = () => s.picks[i++ % s.picks.length] + i;
  const run = startRun(test, { input: { f: s.flags }, json, auto: false });
  for (let resumes = 0; ; resumes++) {
    for (let guard = 0; run.steps.size > 0 || run.timers.size > 0; guard++) {
      if (guard > 100_000) throw new Error('the run never settles');
      const choice = next();
      const steps = [...run.steps.keys()];
      if (run.timers.size > 0 && (steps.length === 0 || choice % 3 === 0)) run.fireNextTimer();
      else run.run(steps[choice % steps.length]);
    }
    // Paused on a limit: raise that limit and resume (twice at most: unbounded loops pause again).
    if (run.state.status !== 'paused' || resumes === 2) return run;
    const { limits, reason } = run.state;
    run.raise(reason === 'max_credits' ? { maxCredits: limits.maxCredits + 1000 } : { maxSteps: limits.maxSteps + 100 });
    run.resume();
  }
}

/** Invariants every intermediate state keeps: tokens unique, pending work owned by a live token. */
function stateProblems(state: RunState): string[] {
  const problems: string[] = [];
  const ids = new Set<number>();
  for (const token of state.tokens) {
    if (ids.has(token.id)) problems.push(`token ${token.id} is there twice`);
    ids.add(token.id);
    if (token.status === 'running' && !token.map && !state.pending[token.seq as number])
      problems.push(`running token ${token.id} has no work`);
    if (token.map) {
      // items in flight or waiting for their retry are exactly the map's pending work
      const owned = Object.values(state.pending).filter(
        (p) => p.token === token.id && (p.kind !== 'timer' || p.purpose === 'retry'),
      ).length;
      if (owned !== token.map.active)
        problems.push(`map token ${token.id} counts ${token.map.active} active items, owns ${owned}`);
    }
    const finished = state.status === 'failed' || state.status === 'completed' || state.status === 'cancelled';
    if (finished && (token.status === 'running' || token.status === 'waiting'))
      problems.push(`token ${token.id} is ${token.status} in a ${state.status} run`);
  }
  for (const join of Object.values(state.joins)) {
    for (const token of join.arrivals.flat())
      if (ids.has(token.id)) problems.push(`token ${token.id} is both live and parked at a join`);
  }
  for (const [seq, pending] of Object.entries(state.pending)) {
    if (!ids.has(pending.token)) problems.push(`pending ${seq} belongs to no live token`);
  }
  if (state.reserved < 0) problems.push(`reserved ${state.reserved} < 0`);
  return problems;
}

const RUNS = 150;
/** The cheap invariant property runs more: limit edge cases (a map crossing maxCredits) are rare. */
const INVARIANT_RUNS = 500;

describe('engine properties (random block-structured flows, random completion order)', () => {
  it('every run ends: completed, or stopped by a limit (failed, or paused after raise + resume); no token is lost or duplicated', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { test } = compile(s);
        const run = play(s, test);
        const { state } = run;
        const status = `${state.status}/${state.reason}`;
        const ends = ['completed/completed', 'failed/max_steps', 'failed/max_credits', 'paused/max_steps', 'paused/max_credits'];
        expect(ends, `${status}: ${JSON.stringify(state.error)}`).toContain(status);
        expect(run.states.flatMap((st, k) => stateProblems(st).map((p) => `state ${k}: ${p}`))).toEqual([]);
        expect(run.peakSteps).toBeLessThanOrEqual(s.maxParallel);
        expect(run.steps.size + run.timers.size, 'effects left in flight').toBe(0);
        // a paused run may keep retries that are due (they start when it resumes)
        expect(Object.values(state.pending).filter((p) => !(p.kind === 'timer' && p.due))).toEqual([]);
        if (state.status !== 'paused') expect(state.pending).toEqual({});
        expect(state.usage.credits).toBeLessThanOrEqual(state.limits.maxCredits);
        // every step.execute (map items included) ends exactly once: completed, failed or cancelled
        const cancelled = run.effectsOf('step.cancel').length;
        expect(run.effectsOf('step.execute').length).toBe(run.count('step.completed') + run.count('step.failed') + cancelled);
        expect(run.count('step.failed')).toBe(run.count('step.retrying'));
        if (state.status === 'completed') {
          expect(state.tokens).toEqual([]);
          expect(state.joins).toEqual({});
          expect(cancelled).toBe(0);
          // one token enters a block-structured flow, one leaves it
          expect(run.count('branch.ended')).toBe(1);
          expect(state.ended).toBe(1);
        } else if (state.reason === 'max_steps') {
          expect(state.usage.steps).toBe(state.limits.maxSteps);
        }
      }),
      { numRuns: INVARIANT_RUNS },
    );
  });

  it('every join fires exactly once per activation of its split, consuming exactly the activated branches', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { test, built } = compile(s);
        const run = play(s, test);
        const visits = run.state.visits;
        const index = (id: string) => run.flow.nodeIndex.get(id) as number;
        for (const [split, join] of built.pairs) {
          const activations = visits[index(split)] ?? 0;
          const joined = run.eventsOf('branch.joined', join);
          const arrivals = visits[index(join)] ?? 0;
          const consumed = joined.reduce((sum, e) => sum + (e.data as { tokens: number[] }).tokens.length, 0);
          if (run.state.status === 'completed') {
            expect(joined.length, `${join} fired ${joined.length}x for ${activations} activations of ${split}`).toBe(activations);
            expect(consumed, `${join} consumed ${consumed} of ${arrivals} arrivals`).toBe(arrivals);
          } else {
            // a run stopped by maxSteps may leave the last activation open, never fire twice for it
            expect(joined.length).toBeLessThanOrEqual(activations);
            expect(joined.length).toBeGreaterThanOrEqual(activations - 1);
            expect(consumed).toBeLessThanOrEqual(arrivals);
          }
          if (split.startsWith('p')) {
            // a parallel join consumes one token per branch, every time
            const width = run.flow.nodes[index(split)].outgoing.length;
            for (const e of joined) expect((e.data as { tokens: number[] }).tokens).toHaveLength(width);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('folding the log again with replay() gives the final state, also after a JSON round-trip', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { test } = compile(s);
        const run = play(s, test);
        const replayed = run.replayed();
        expect(replayed).toEqual(run.state);
        // the log and the state as a store keeps them (JSON) fold to the same state
        const events = JSON.parse(JSON.stringify(run.events)) as RunEvent[];
        const fromJsonLog = replay(run.meta, run.flow, events);
        expect(JSON.parse(JSON.stringify(fromJsonLog))).toEqual(JSON.parse(JSON.stringify(run.state)));
      }),
      { numRuns: RUNS },
    );
  });

  it('a store round-trip between events changes nothing, and time travel gives each recorded state', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, at) => {
        const { test } = compile(s);
        const live = play(s, test);
        const stored = play(s, test, true);
        expect(stored.events).toEqual(live.events);
        expect(stored.effects).toEqual(live.effects);
        expect(stored.state).toEqual(JSON.parse(JSON.stringify(live.state)));
        // the state after transition k is the state after its last event
        const k = at % live.states.length;
        const state = live.states[k];
        expect(live.replayed(state.eventSeq)).toEqual(state);
      }),
      { numRuns: RUNS },
    );
  });
});
