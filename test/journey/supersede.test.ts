/** A move away from a step whose run is still working cancels that run (issue 18, gap 1). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { SALES_JOURNEY, until } from './fixtures.js';

/** A system flow that waits for a signal nobody sends: its run stays active until cancelled. */
const HOLD = {
  format: 'runloom/v1',
  id: 'hold',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'hold', type: 'wait', signal: 'go' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'hold' },
    { from: 'hold', to: 'end' },
  ],
};

const open: Runloom[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openRunloom(store: string, journeys: boolean) {
  const runloom = await createRunloom({ store, journeys: journeys ? { intervalMs: 50 } : false });
  open.push(runloom);
  return runloom;
}

async function arriveHolding(runloom: Runloom) {
  await runloom.flows.publish(HOLD);
  await runloom.flows.publish(SALES_JOURNEY);
  await runloom.journeys.setMappings('sales', [{ nodeId: 'lead', flowId: 'hold' }]);
  const e = await runloom.entities.upsert('sales', { email: 'e@example.com' });
  const started = (await runloom.entities.timeline(e.id)).find((ev) => ev.type === 'run.started');
  const runId = started?.data.runId as string;
  await until(
    () => runloom.runs.get(runId).catch(() => undefined),
    (run) => run?.status === 'waiting',
  );
  return { id: e.id, runId };
}

const types = async (runloom: Runloom, id: string) => (await runloom.entities.timeline(id)).map((e) => e.type);

describe('a move away from a working step', () => {
  it('cancels the run of the arrival it leaves, as a person would, and logs it on the timeline', async () => {
    const runloom = await openRunloom('memory:', true);
    const { id, runId } = await arriveHolding(runloom);
    const moved = await runloom.entities.move(id, 'nurture', 'ann');
    expect(moved).toMatchObject({ nodeId: 'nurture', status: 'active' });
    const run = await until(
      () => runloom.runs.get(runId),
      (r) => r.status === 'cancelled',
    );
    expect(run.status).toBe('cancelled');
    const timeline = await until(
      () => types(runloom, id),
      (t) => t.includes('run.cancelled'),
    );
    // The cancellation is logged once and the entity stays where it was moved, not failed.
    expect(timeline.filter((t) => t === 'run.cancelled')).toHaveLength(1);
    expect(timeline).not.toContain('run.failed');
    expect(await runloom.entities.get(id)).toMatchObject({ nodeId: 'nurture', status: 'active' });
    expect((await runloom.entities.timeline(id)).at(-1)).toMatchObject({
      type: 'run.cancelled',
      data: { runId, nodeId: 'lead', reason: 'moved' },
    });
  });

  it('a cancel that had not happened when the process stopped happens on the next pass after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runloom-supersede-'));
    dirs.push(dir);
    const file = `sqlite:${join(dir, 'runloom.db')}`;
    const first = await openRunloom(file, true);
    const { id, runId } = await arriveHolding(first);
    await first.close();
    // The move is committed by a process that does not run progression: like a kill right after it.
    const mover = await openRunloom(file, false);
    await mover.entities.move(id, 'nurture', 'ann');
    expect((await mover.runs.get(runId)).status).toBe('waiting');
    await mover.close();
    const next = await openRunloom(file, true);
    await until(
      () => next.runs.get(runId),
      (r) => r.status === 'cancelled',
    );
    await until(
      () => types(next, id),
      (t) => t.includes('run.cancelled'),
    );
    expect(await next.entities.get(id)).toMatchObject({ nodeId: 'nurture', status: 'active' });
  });
});
