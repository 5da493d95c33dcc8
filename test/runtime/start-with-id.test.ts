/**
 * A start with a chosen run id (an Idempotency-Key's run) that another start of the same id
 * beat: in this process (the run is held here) or in another one (the store refuses the second
 * first checkpoint). The loser learns RUN_EXISTS naming the run, never the store's conflict, and
 * the runtime is not wedged: the winner goes on, other runs start, the id reads as the winner.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusOf, RunloomError } from '../../src/errors.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { createPostgresStore } from '../../src/store/index.js';
import { pgSchemas } from '../support/pg-schemas.js';
import { closeAll, linearFlow, openRunloom } from './support.js';

const FLOW = linearFlow('held', [{ id: 'gate', type: 'wait', signal: 'go' }]);

/** Every start of `id` at once: the fulfilled ones and the errors of the others. */
async function startAll(starters: readonly Runloom[], id: string, times: number) {
  const settled = await Promise.allSettled(
    Array.from({ length: times }, (_, i) => starters[i % starters.length].runs.start('held', { n: i }, undefined, { id })),
  );
  const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  return { won, lost };
}

function expectRunExists(errors: readonly unknown[], id: string): void {
  for (const error of errors) {
    expect(error).toBeInstanceOf(RunloomError);
    expect((error as RunloomError).code, String(error)).toBe('RUN_EXISTS');
    expect((error as RunloomError).details).toEqual({ runId: id });
    expect(httpStatusOf(error)).toBe(409);
  }
}

describe('a start with a run id already started', () => {
  afterEach(closeAll);

  it('in the same process (SQLite): one start wins, the others get RUN_EXISTS, the run goes on', async () => {
    const runloom = await openRunloom('sqlite');
    await runloom.flows.publish(FLOW);
    const { won, lost } = await startAll([runloom], 'run_same', 6);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(5);
    expectRunExists(lost, 'run_same');
    // Written once, from the winner's input; a later start of the id (from the store) refuses too.
    expect((await runloom.runs.get('run_same')).status).toBe('waiting');
    expectRunExists([await runloom.runs.start('held', {}, undefined, { id: 'run_same' }).catch((e) => e)], 'run_same');
    await runloom.runs.signal('run_same', 'go');
    expect((await runloom.runs.wait('run_same')).status).toBe('completed');
    expect(await runloom.runs.list({})).toHaveLength(1);
  });
});

const url = process.env.RUNLOOM_TEST_PG_URL;
const schema = pgSchemas(url, 'runloom_startid')();

describe.skipIf(!url)(
  `a start with a run id started by another process on PostgreSQL${url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL)'}`,
  () => {
    it('one start wins across two relays, the others get RUN_EXISTS, and both relays go on', async () => {
      // Two relays (they never run a step) on one store, like two `runloom serve` processes.
      const open = () => createRunloom({ store: createPostgresStore({ url: url as string, schema }), execute: false });
      const relays = [await open(), await open()];
      try {
        await relays[0].flows.publish(FLOW);
        for (const id of ['run_a', 'run_b', 'run_c']) {
          const { won, lost } = await startAll(relays, id, 16);
          expect(won, String(lost[0])).toHaveLength(1);
          expect(lost).toHaveLength(15);
          expectRunExists(lost, id);
          for (const relay of relays) expect((await relay.runs.get(id)).status).toBe('waiting');
        }
        // Not wedged: each relay starts runs of its own and changes the contested ones.
        for (const relay of relays) expect((await relay.runs.start('held', {})).status).toBe('waiting');
        expect((await relays[1].runs.cancel('run_a')).status).toBe('cancelled');
        expect(await relays[0].runs.list({ limit: 100 })).toHaveLength(5);
      } finally {
        for (const relay of relays) await relay.close();
      }
    }, 30_000);
  },
);
