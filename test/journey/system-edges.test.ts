/** System edges (F6.1): arriving at a ux node starts the flows its system edges lead to, as side effects. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowSource } from '../../src/index.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { SIGNUP_JOURNEY as JOURNEY, scoreFlow, until } from './fixtures.js';

/** A flow whose output is its whole input (what the side effect was started with). */
const echo = (id: string) => ({
  format: 'runloom/v1',
  id,
  output: '=vars.got',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'got', type: 'task', action: 'set', input: { input: '=input' }, output: 'got' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'got' },
    { from: 'got', to: 'end' },
  ],
});

let runloom: Runloom;
afterEach(() => runloom?.close());

async function setUp(welcome: FlowSource = echo('welcome')) {
  runloom = await createRunloom({ store: 'memory:', journeys: { intervalMs: 50 } });
  await runloom.flows.publish(welcome);
  await runloom.flows.publish(echo('audit'));
  await runloom.flows.publish(scoreFlow('enrich'));
  await runloom.flows.publish(JOURNEY);
  await runloom.journeys.setMappings('signup', [{ nodeId: 'lead', flowId: 'enrich' }]);
}

const events = (id: string, type: string) =>
  until(
    () => runloom.entities.timeline(id),
    (t) => t.filter((e) => e.type === type).length >= 2,
  ).then((t) => t.filter((e) => e.type === type));

describe('system edges', () => {
  it('start their flows once per arrival, without blocking the move, mapped step or manual step', async () => {
    await setUp();
    const e = await runloom.entities.upsert('signup', { email: 'ada@example.com', attributes: { score: 1 } });
    // Both side effects are committed with the arrival, next to the mapped run.
    const first = await runloom.entities.timeline(e.id);
    expect(first.map((ev) => ev.type)).toEqual(['created', 'arrived', 'run.started', 'system.started', 'system.started']);
    expect(first.slice(3).map((ev) => ev.data.systemNodeId)).toEqual(['welcome', 'audit']);
    // The mapped run completes: the entity moves on to the manual step, whose system edge runs too.
    await until(
      () => runloom.entities.get(e.id),
      (x) => x.nodeId === 'onboarded',
    );
    const completed = await until(
      () => runloom.entities.timeline(e.id),
      (t) => t.filter((ev) => ev.type === 'system.completed').length === 3,
    );
    const started = completed.filter((ev) => ev.type === 'system.started');
    expect(started.map((ev) => ev.data.systemNodeId)).toEqual(['welcome', 'audit', 'audit']);
    const runIds = started.map((ev) => ev.data.runId as string);
    expect(new Set(runIds).size).toBe(3);
    const welcome = await runloom.runs.get(runIds[0]);
    expect(welcome.output).toMatchObject({
      input: {
        to: 'ada@example.com',
        at: 'lead',
        entity: { id: e.id, email: 'ada@example.com' },
        trigger: { type: 'journey.system', entityId: e.id, uxNodeId: 'lead', source: 'api', systemNodeId: 'welcome' },
      },
    });
    const audit = await runloom.runs.get(runIds[2]);
    expect(audit).toMatchObject({ flowId: 'audit', flowVersion: 1, status: 'completed' });
    // Side effects never move the entity: it waits at the manual step.
    expect(await runloom.entities.get(e.id)).toMatchObject({ nodeId: 'onboarded', status: 'active' });
    // Passes after everything settled start nothing again: one run per arrival and edge.
    await new Promise((r) => setTimeout(r, 200));
    expect((await runloom.runs.list({ limit: 100 })).map((r) => r.flowId).sort()).toEqual([
      'audit',
      'audit',
      'enrich',
      'welcome',
    ]);
  });

  it('a side effect that fails is logged and leaves the entity walking the spine', async () => {
    const failing = {
      ...echo('welcome'),
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'got', type: 'task', action: 'fail', input: { code: 'SMTP_DOWN', message: 'mail server down' } },
        { id: 'end', type: 'end' },
      ],
    };
    await setUp(failing);
    const e = await runloom.entities.upsert('signup', { email: 'bob@example.com', attributes: { score: 1 } });
    const failed = await until(
      () => runloom.entities.timeline(e.id),
      (t) => t.some((ev) => ev.type === 'system.failed'),
    );
    expect(failed.find((ev) => ev.type === 'system.failed')).toMatchObject({
      data: { systemNodeId: 'welcome', error: { code: 'SMTP_DOWN' } },
    });
    expect(
      await until(
        () => runloom.entities.get(e.id),
        (x) => x.nodeId === 'onboarded',
      ),
    ).toMatchObject({ status: 'active' });
    expect((await events(e.id, 'system.completed')).map((ev) => ev.data.systemNodeId)).toEqual(['audit', 'audit']);
  });

  it('publishing refuses a system edge that does not lead from a ux node to a subflow node', async () => {
    runloom = await createRunloom({ store: 'memory:', journeys: false });
    await runloom.flows.publish(echo('welcome'));
    await runloom.flows.publish(echo('audit'));
    expect(runloom.flows.validate(JOURNEY)).toEqual([]);
    const bad = {
      ...JOURNEY,
      nodes: [...JOURNEY.nodes, { id: 'note', type: 'task', action: 'log', input: { message: 'x' } }],
      edges: [...JOURNEY.edges, { from: 'onboarded', to: 'note', kind: 'system' }, { from: 'note', to: 'done' }],
    };
    expect(runloom.flows.validate(bad).map((p) => `${p.path} ${p.code} ${p.message}`)).toEqual([
      expect.stringMatching(/^edges\[7\]\.kind JOURNEY_EDGE .*must lead from a ux node to a subflow node/),
    ]);
  });
});
