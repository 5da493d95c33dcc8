/**
 * Progression over generated spines (fast-check): branches with conditions, manual steps,
 * failing flows and retries, manual moves. After every scenario: each entity stands at exactly
 * one ux node or has completed; every move has exactly one event and the timeline reads as a
 * walk (each move leaves where the last arrival was); every arrival at a mapped node started
 * exactly one run; the board's counters equal a recount.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJourneyContext } from '../../src/journey/context.js';
import { workspaceEntities } from '../../src/journey/entities.js';
import { createProgression } from '../../src/journey/progression.js';
import { createRunloom } from '../../src/runloom.js';

/** Fails when the entity's attribute `fail` names the step it runs for. */
const STEP_FLOW = {
  format: 'runloom/v1',
  id: 'step',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'check', type: 'decision' },
    { id: 'boom', type: 'task', action: 'fail', input: { code: 'ASKED', message: 'asked to fail' } },
    { id: 'ok', type: 'task', action: 'set', input: { at: '=input.trigger.uxNodeId' }, output: 'result' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'check' },
    { from: 'check', to: 'boom', when: 'input.entity.attributes.fail = input.trigger.uxNodeId' },
    { from: 'check', to: 'ok', default: true },
    { from: 'boom', to: 'end' },
    { from: 'ok', to: 'end' },
  ],
};

interface Spec {
  readonly size: number;
  /** Per node: its next steps (forward only, so every walk ends), the first conditional when two. */
  readonly next: readonly (readonly number[])[];
  readonly mapped: readonly boolean[];
  readonly entities: readonly { readonly flag: boolean; readonly failAt: number }[];
  /** `early`: the next move comes while this one's run may still be working (it is then cancelled). */
  readonly moves: readonly { readonly entity: number; readonly to: number; readonly early: boolean }[];
}

const spec: fc.Arbitrary<Spec> = fc.integer({ min: 2, max: 6 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    next: fc.tuple(
      ...Array.from({ length: size }, (_, i) =>
        // The next node always (every node is reachable), sometimes a second one further on: a
        // branch whose first edge has the condition and whose second is the default.
        i === size - 1
          ? fc.constant([])
          : fc
              .option(fc.integer({ min: i + 1, max: size - 1 }), { nil: undefined })
              .map((j) => (j === undefined || j === i + 1 ? [i + 1] : [i + 1, j])),
      ),
    ),
    mapped: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
    entities: fc.array(fc.record({ flag: fc.boolean(), failAt: fc.integer({ min: -1, max: size - 1 }) }), {
      minLength: 1,
      maxLength: 6,
    }),
    moves: fc.array(fc.record({ entity: fc.nat(5), to: fc.nat(size - 1), early: fc.boolean() }), { maxLength: 4 }),
  }),
);

const name = (i: number) => `n${i}`;

function journeyOf(s: Spec) {
  const edges: Record<string, unknown>[] = [{ from: 'start', to: name(0) }];
  s.next.forEach((targets, i) => {
    targets.forEach((j, k) => {
      const conditional = targets.length > 1 && k === 0;
      edges.push({
        from: name(i),
        to: name(j),
        kind: 'journey',
        ...(conditional ? { when: 'entity.attributes.flag = true' } : targets.length > 1 ? { default: true } : {}),
      });
    });
  });
  return {
    format: 'runloom/v1',
    id: 'gen',
    nodes: [{ id: 'start', type: 'start' }, ...Array.from({ length: s.size }, (_, i) => ({ id: name(i), type: 'ux' }))],
    edges,
  };
}

describe('progression over generated spines', () => {
  it('keeps every entity at one place, every move one event, every mapped arrival one run', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const runloom = await createRunloom({ store: 'memory:', journeys: false });
        try {
          await runloom.flows.publish(STEP_FLOW);
          await runloom.flows.publish(journeyOf(s));
          const mappings = s.mapped.flatMap((m, i) => (m ? [{ nodeId: name(i), flowId: 'step' }] : []));
          await runloom.journeys.setMappings('gen', mappings);
          const ctx = createJourneyContext(runloom.store, runloom.flows);
          const entities = workspaceEntities(ctx, 'default');
          const progression = createProgression(ctx, runloom.runs);
          const settle = async () => {
            for (let i = 0; i < 200; i++) {
              const acted = await progression.tick();
              const running = (await runloom.runs.list({ status: ['running', 'queued'] })).length;
              if (acted === 0 && running === 0) return;
              await new Promise((r) => setTimeout(r, 2));
            }
            throw new Error('progression did not settle');
          };
          const ids: string[] = [];
          for (const [i, e] of s.entities.entries()) {
            const created = await entities.upsert('gen', {
              email: `e${i}@gen.test`,
              attributes: { flag: e.flag, fail: e.failAt < 0 ? null : name(e.failAt) },
            });
            ids.push(created.id);
          }
          await settle();
          for (const move of s.moves) {
            const id = ids[move.entity % ids.length];
            // The move does not wake this progression: like a kill right after the move's commit,
            // the cancel of a superseded run is left to the next pass.
            await entities.move(id, name(move.to), 'prop');
            if (move.early) await progression.tick();
            else await settle();
          }
          await settle();
          // Every failed entity: clear its failure and retry, until none has failed.
          for (const id of ids) {
            if ((await entities.get(id)).status !== 'failed') continue;
            await entities.upsert('gen', { email: (await entities.get(id)).email, attributes: { fail: null } });
            await entities.retry(id);
            await settle();
          }

          const steps = new Set(Array.from({ length: s.size }, (_, i) => name(i)));
          const mapped = new Set(mappings.map((m) => m.nodeId));
          const startedRuns = new Set<string>();
          const recount = new Map<string, number>();
          for (const id of ids) {
            const entity = await entities.get(id);
            if (entity.status === 'completed') expect(entity.nodeId).toBeUndefined();
            else expect(steps.has(entity.nodeId!)).toBe(true);
            const key = `${entity.nodeId ?? ''}/${entity.status}`;
            recount.set(key, (recount.get(key) ?? 0) + 1);
            const timeline = await entities.timeline(id);
            let at: string | undefined;
            for (const [k, event] of timeline.entries()) {
              if (event.type === 'moved') {
                expect(event.data.from).toBe(at ?? null);
                expect(timeline[k + 1]).toMatchObject({ type: 'arrived', data: { nodeId: event.data.to } });
              }
              if (event.type === 'arrived') {
                at = event.data.nodeId as string;
                const startedNext = timeline[k + 1]?.type === 'run.started';
                expect(startedNext, `${id} arrival at ${at}`).toBe(mapped.has(at));
              }
              if (event.type === 'retried') expect(timeline[k + 1]).toMatchObject({ type: 'arrived', data: { nodeId: at } });
              if (event.type === 'run.started') {
                expect(startedRuns.has(event.data.runId as string)).toBe(false);
                startedRuns.add(event.data.runId as string);
              }
              if (event.type === 'journey.completed') at = undefined;
            }
            expect(at).toBe(entity.nodeId);
            expect(entity.status).not.toBe('failed');
          }
          const runs = await runloom.runs.list({ flowId: 'step', limit: 10_000 });
          expect(new Set(runs.map((r) => r.id))).toEqual(startedRuns);
          // A run is cancelled only when its entity moved away, and then it is on the timeline; nothing is left to act on.
          const cancelled = new Set<string>();
          for (const id of ids) {
            for (const e of await entities.timeline(id)) if (e.type === 'run.cancelled') cancelled.add(e.data.runId as string);
          }
          expect(new Set(runs.filter((r) => r.status === 'cancelled').map((r) => r.id))).toEqual(cancelled);
          expect(await runloom.store.journeys.pendingArrivals(10)).toEqual([]);
          const board = await runloom.store.journeys.board('default', 'gen');
          expect(new Map(board.map((c) => [`${c.nodeId}/${c.status}`, c.count]))).toEqual(recount);
        } finally {
          await runloom.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
