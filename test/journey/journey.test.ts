import { afterEach, describe, expect, it } from 'vitest';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { SALES_JOURNEY, setUpSales, until } from './fixtures.js';

let runloom: Runloom;
afterEach(() => runloom?.close());

describe('journeys in the library', () => {
  it('walks an entity along the spine: each mapped flow runs, then it moves on; a manual step waits', async () => {
    runloom = await createRunloom({ store: 'memory:', journeys: { intervalMs: 50 } });
    await setUpSales(runloom);
    const ada = await runloom.entities.upsert('sales', { email: 'Ada@Example.com', name: 'Ada', attributes: { score: 80 } });
    expect(ada).toMatchObject({ created: true, nodeId: 'lead', email: 'ada@example.com' });
    const done = await until(
      () => runloom.entities.get(ada.id),
      (e) => e.nodeId === 'won',
    );
    expect(done.status).toBe('active');
    const low = await runloom.entities.upsert('sales', { email: 'bob@example.com', attributes: { score: 10 } });
    await until(
      () => runloom.entities.get(low.id),
      (e) => e.nodeId === 'nurture',
    );
    const types = (await runloom.entities.timeline(ada.id)).map((e) => e.type);
    expect(types).toEqual([
      'created',
      'arrived',
      'run.started',
      'run.completed',
      'moved',
      'arrived',
      'run.started',
      'run.completed',
      'moved',
      'arrived',
    ]);
    const board = await runloom.journeys.board('sales');
    expect(board.nodes).toEqual([
      { nodeId: 'lead', active: 0, failed: 0 },
      { nodeId: 'qualified', active: 0, failed: 0 },
      { nodeId: 'won', active: 1, failed: 0 },
      { nodeId: 'nurture', active: 1, failed: 0 },
    ]);
    // The run got the trigger and the entity.
    const started = (await runloom.entities.timeline(ada.id)).find((e) => e.type === 'run.started')!;
    const run = await runloom.runs.get(started.data.runId as string);
    expect(run.input).toMatchObject({
      trigger: { type: 'journey.arrival', entityId: ada.id, uxNodeId: 'lead', source: 'api' },
      entity: { email: 'ada@example.com' },
    });
  });

  it('a failed run leaves the entity where it is, marked failed; retry starts the flow again', async () => {
    runloom = await createRunloom({ store: 'memory:', journeys: { intervalMs: 50 } });
    await setUpSales(runloom);
    const e = await runloom.entities.upsert('sales', { email: 'c@example.com', attributes: { fail: true, score: 70 } });
    const failed = await until(
      () => runloom.entities.get(e.id),
      (x) => x.status === 'failed',
    );
    expect(failed.nodeId).toBe('lead');
    expect((await runloom.journeys.board('sales')).nodes[0]).toEqual({ nodeId: 'lead', active: 0, failed: 1 });
    await runloom.entities.upsert('sales', { email: 'c@example.com', attributes: { fail: false } });
    await runloom.entities.retry(e.id, 'ops');
    await until(
      () => runloom.entities.get(e.id),
      (x) => x.nodeId === 'won',
    );
    const types = (await runloom.entities.timeline(e.id)).map((x) => x.type);
    expect(types).toContain('run.failed');
    expect(types).toContain('retried');
    await expect(runloom.entities.retry(e.id)).rejects.toThrow(/only an entity whose run failed/);
  });

  it('refuses placing an entity anywhere but a ux node, and bad mappings, naming what and where', async () => {
    runloom = await createRunloom({ store: 'memory:', journeys: false });
    await setUpSales(runloom);
    await expect(runloom.entities.upsert('sales', { email: 'd@example.com', nodeId: 'start' })).rejects.toThrow(
      /'start' is not a ux node of journey 'sales'/,
    );
    await expect(
      runloom.journeys.setMappings('sales', [
        { nodeId: 'start', flowId: 'enrich' },
        { nodeId: 'won', flowId: 'nope' },
      ]),
    ).rejects.toThrow(/mappings\[0\]\.nodeId: 'start' is not a ux node.*mappings\[1\]\.flowId: flow 'nope' is not published/);
    expect(await runloom.journeys.mappings('sales')).toHaveLength(2);
    expect(await runloom.entities.list('sales')).toEqual({ entities: [] });
  });

  it('a manual move is an event, starts the mapped flow of where it lands, and supersedes the old arrival', async () => {
    runloom = await createRunloom({ store: 'memory:', journeys: false });
    await setUpSales(runloom);
    const e = await runloom.entities.upsert('sales', { email: 'e@example.com', attributes: { score: 90 } });
    const moved = await runloom.entities.move(e.id, 'nurture', 'ann');
    expect(moved.nodeId).toBe('nurture');
    const timeline = await runloom.entities.timeline(e.id);
    expect(timeline.at(-2)).toMatchObject({ type: 'moved', data: { from: 'lead', to: 'nurture', by: 'ann', source: 'manual' } });
    expect(timeline.at(-1)).toMatchObject({ type: 'arrived', data: { nodeId: 'nurture' } });
  });

  it('validates the spine when the journey flow is published', async () => {
    runloom = await createRunloom({ store: 'memory:', journeys: false });
    const bad = {
      ...SALES_JOURNEY,
      id: 'bad',
      nodes: [...SALES_JOURNEY.nodes, { id: 'work', type: 'task', action: 'log', input: { message: 'x' } }],
      edges: [
        { from: 'start', to: 'lead' },
        { from: 'lead', to: 'work', kind: 'journey' },
        { from: 'lead', to: 'qualified', kind: 'journey' },
        { from: 'qualified', to: 'won', kind: 'journey', when: 'true' },
        { from: 'qualified', to: 'nurture', kind: 'journey' },
        { from: 'work', to: 'won' },
      ],
    };
    const problems = runloom.flows.validate(bad);
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual(
      expect.arrayContaining(['edges[1].kind JOURNEY_EDGE', 'nodes[2] DECISION_WITHOUT_DEFAULT', 'edges[4] MISSING_CONDITION']),
    );
  });
});
