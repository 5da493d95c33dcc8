/**
 * The Leases contract (F8.3, issue 12), run against every store that has leases on the real
 * thing: PostgreSQL (two pools on one schema) and SQLite (two connections on one file), as two
 * processes would share them. Claims never overlap, a stale holder can never write (fencing),
 * renewals, releases, hand-backs, inboxes, due timers and offered steps.
 */
import { describe, expect, it } from 'vitest';
import type { Checkpoint, Leases, StepTask, Store } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';

export interface LeaseHarness {
  /** Two stores on one database, as two processes have them. */
  twoProcesses(): Promise<[Store, Store]>;
  /** Ends a run's lease now, as time passing would (racing a short lease is flaky on a busy host). */
  expire(store: Store, runId: string): Promise<void>;
  ownerOf(store: Store, runId: string): Promise<string | null>;
}

const leasesOf = (store: Store) => store.leases as Leases;
const parked = (id: string) => created(runState({ id, status: 'waiting' }), { active: false });
const fenced = (cp: Checkpoint, owner: string, fence: number, extra: Partial<Checkpoint> = {}): Checkpoint => ({
  ...cp,
  lease: { owner, fence },
  ...extra,
});

export function describeLeasesContract(name: string, harness: () => LeaseHarness): void {
  describe(`leases (${name})`, () => {
    it('hands each run needing a process to exactly one of two concurrent claimers, and skips parked runs', async () => {
      const [a, b] = await harness().twoProcesses();
      const runs = Array.from({ length: 60 }, (_, i) => created(runState({ id: `r${i}` }), { active: true }));
      await a.commit([...runs, parked('idle')]);
      const claims = await Promise.all([
        leasesOf(a).claim('A', 25),
        leasesOf(b).claim('B', 25),
        leasesOf(a).claim('A', 25),
        leasesOf(b).claim('B', 25),
      ]);
      const ids = claims.flat().map((c) => c.state.meta.id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      expect(ids).not.toContain('idle');
      expect(claims.flat().every((c) => c.fence === 1 && !c.recovered)).toBe(true);
      expect(await leasesOf(b).claim('B', 100)).toEqual([]);
    });

    it('refuses a stale holder’s commit once another process claimed the run, writing nothing of the batch', async () => {
      const h = harness();
      const [a, b] = await h.twoProcesses();
      const s = runState({ id: 'r' });
      await a.commit([created(s, { active: true }), created(runState({ id: 'other' }), { active: true })]);
      const [first] = await leasesOf(a).claim('A', 1, ['r']);
      expect(first.fence).toBe(1);
      expect(await leasesOf(b).claim('B', 1, ['r'])).toEqual([]); // held
      await h.expire(a, 'r'); // A stalls past its lease
      const [taken] = await leasesOf(b).claim('B', 1, ['r']);
      expect(taken).toMatchObject({ fence: 2, recovered: true });
      const stale = fenced(checkpoint({ ...s, eventSeq: 2 }, { events: [event(2)], steps: [stepRow(3)] }), 'A', 1);
      const innocent = checkpoint({ ...runState({ id: 'other' }), eventSeq: 2 }, { events: [event(2)] });
      await expect(a.commit([innocent, stale])).rejects.toMatchObject({ code: 'LEASE_LOST' });
      expect(await a.readEvents('r')).toHaveLength(1);
      expect(await a.readEvents('other')).toHaveLength(1);
      expect(await a.listSteps('r')).toEqual([]);
      await b.commit([fenced(checkpoint({ ...s, eventSeq: 2 }, { events: [event(2)] }), 'B', 2)]);
      expect(await b.readEvents('r')).toHaveLength(2);
    });

    it('renews held leases, reports lost ones, and frees released ones for others at once', async () => {
      const h = harness();
      const [a, b] = await h.twoProcesses();
      await a.commit(['x', 'y', 'z'].map((id) => created(runState({ id }), { active: true })));
      expect((await leasesOf(a).claim('A', 10)).map((c) => c.state.meta.id).sort()).toEqual(['x', 'y', 'z']);
      expect((await leasesOf(a).renew('A', ['x', 'y'])).sort()).toEqual(['x', 'y']);
      expect(await leasesOf(b).claim('B', 10)).toEqual([]); // all three still held
      await h.expire(a, 'z'); // z was not renewed: once its lease runs out, B takes it
      expect((await leasesOf(b).claim('B', 10)).map((c) => c.state.meta.id)).toEqual(['z']);
      expect((await leasesOf(a).renew('A', ['x', 'y', 'z'])).sort()).toEqual(['x', 'y']);
      await leasesOf(a).release('A', ['x']);
      const [x] = await leasesOf(b).claim('B', 10);
      expect(x).toMatchObject({ state: { meta: { id: 'x' } }, recovered: false });
      // Handed back (a process shutting down): free at once too, and taken over as recovered.
      await leasesOf(a).handBack('A', ['y']);
      expect(await leasesOf(b).claim('B', 10)).toMatchObject([{ state: { meta: { id: 'y' } }, recovered: true }]);
    });

    it('claims only those of the given runs that need a process when asked (a process keeping its runs)', async () => {
      const [a, b] = await harness().twoProcesses();
      const now = Date.now();
      await a.commit([
        parked('idle'),
        created(runState({ id: 'due', status: 'waiting' }), { active: false, timersSet: [{ seq: 4, fireAt: now - 1 }] }),
        created(runState({ id: 'busy' }), { active: true }),
      ]);
      const claimed = await leasesOf(b).claim('B', 10, ['idle', 'due', 'busy'], true);
      expect(claimed.map((c) => c.state.meta.id).sort()).toEqual(['busy', 'due']);
    });

    it('releases with the checkpoint that parks a run, and a later fenced commit takes the lease again', async () => {
      const h = harness();
      const [a, b] = await h.twoProcesses();
      const s = runState({ id: 'r' });
      await a.commit([fenced(created(s, { active: true }), 'A', 1)]);
      expect(await h.ownerOf(a, 'r')).toBe('A');
      expect(await leasesOf(b).claim('B', 1, ['r'])).toEqual([]); // created held by A
      await a.commit([
        fenced(checkpoint({ ...s, status: 'waiting', eventSeq: 2 }, { events: [event(2)] }), 'A', 1, {
          active: false,
          release: true,
        }),
      ]);
      expect(await h.ownerOf(a, 'r')).toBeNull();
      await a.commit([fenced(checkpoint({ ...s, eventSeq: 3 }, { events: [event(3)] }), 'A', 1, { active: true })]);
      expect(await h.ownerOf(a, 'r')).toBe('A');
      expect(await leasesOf(b).claim('B', 10)).toEqual([]);
    });

    it('brings a parked run back through its inbox, applied and deleted exactly once with the checkpoint', async () => {
      const [a, b] = await harness().twoProcesses();
      await a.commit([parked('p')]);
      expect(await leasesOf(b).claim('B', 10)).toEqual([]);
      const signal = { type: 'signal.received' as const, at: 5, name: 'go', payload: { n: 1 } };
      await leasesOf(a).send('p', signal, 5);
      await leasesOf(a).send('p', { ...signal, name: 'later' }, 6);
      const [claimed] = await leasesOf(b).claim('B', 10);
      expect(claimed.inbox.map((item) => item.event)).toEqual([signal, { ...signal, name: 'later' }]);
      const [first, second] = claimed.inbox;
      const next = checkpoint({ ...claimed.state, eventSeq: 2 }, { events: [event(2)] });
      await b.commit([fenced(next, 'B', claimed.fence, { inboxDone: [first.id] })]);
      expect((await leasesOf(b).readInbox('p')).map((item) => item.id)).toEqual([second.id]);
      await leasesOf(b).discard([second.id]);
      expect(await leasesOf(b).readInbox('p')).toEqual([]);
    });

    it('makes a parked run claimable when its timer is due, not before, and hands over its timers', async () => {
      const [a, b] = await harness().twoProcesses();
      const now = Date.now();
      await a.commit([
        created(runState({ id: 'later', status: 'waiting' }), { active: false, timersSet: [{ seq: 7, fireAt: now + 60_000 }] }),
        created(runState({ id: 'due', status: 'waiting' }), { active: false, timersSet: [{ seq: 4, fireAt: now - 1 }] }),
      ]);
      const claimed = await leasesOf(b).claim('B', 10);
      expect(claimed.map((c) => c.state.meta.id)).toEqual(['due']);
      expect(claimed[0].timers).toEqual([{ seq: 4, fireAt: now - 1 }]);
    });

    it('tells when the next timer of a run nobody holds is due (of given runs too), leaving held runs’ to their holders', async () => {
      const [a, b] = await harness().twoProcesses();
      await a.commit([
        fenced(created(runState({ id: 'held' }), { active: true, timersSet: [{ seq: 1, fireAt: 100 }] }), 'A', 1),
        created(runState({ id: 'parked', status: 'waiting' }), { active: false, timersSet: [{ seq: 2, fireAt: 500 }] }),
        created(runState({ id: 'other', status: 'waiting' }), { active: false, timersSet: [{ seq: 2, fireAt: 900 }] }),
      ]);
      expect(await a.nextTimerAt()).toBe(100);
      expect(await leasesOf(b).nextFreeTimerAt()).toBe(500);
      expect(await leasesOf(b).nextFreeTimerAt(['other', 'held'])).toBe(900);
      expect(await leasesOf(b).nextFreeTimerAt([])).toBeUndefined();
    });

    it('offers a step to the processes with its action, once, and takes its result to the run’s inbox', async () => {
      const [a, b] = await harness().twoProcesses();
      await a.commit([fenced(created(runState({ id: 'r' }), { active: true }), 'A', 1)]);
      const task: StepTask = {
        runId: 'r',
        seq: 3,
        action: 'mail.send',
        flowId: 'f',
        flowVersion: 1,
        nodeId: 'mail',
        attempt: 1,
        input: { to: 'a@b.c' },
        idempotencyKey: 'r:mail:1:t1',
      };
      await leasesOf(a).offerStep(task);
      await leasesOf(a).offerStep(task); // again after a crash: kept once
      expect(await leasesOf(b).claimSteps('B', ['other'], 10)).toEqual([]);
      expect(await leasesOf(b).claimSteps('B', ['other', 'mail.send'], 10)).toEqual([task]);
      expect(await leasesOf(a).claimSteps('C', ['mail.send'], 10)).toEqual([]); // held by B
      const result = { type: 'step.completed' as const, at: 9, seq: 3, output: { sent: true } };
      expect(await leasesOf(a).finishStep('C', 'r', 3, result, 9)).toBe(false);
      expect(await leasesOf(b).finishStep('B', 'r', 3, result, 9)).toBe(true);
      expect((await leasesOf(a).readInbox('r')).map((item) => item.event)).toEqual([result]);
      expect(await leasesOf(b).claimSteps('B', ['mail.send'], 10)).toEqual([]);
    });
  });
}
