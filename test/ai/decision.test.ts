/**
 * Decisions `mode: ai`: the model picks an edge with a reason, both recorded; a run reloaded
 * from its SQLite file goes on from the recorded choice without asking the model again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replay } from '../../src/engine/replay.js';
import { createRunloom } from '../../src/runloom.js';
import { scriptedModel } from './scripted-model.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-ai-decision-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOW = {
  format: 'runloom/v1',
  id: 'triage',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'route', type: 'decision', mode: 'ai', prompt: 'A customer writes: "{{input.text}}". Where does it go?' },
    { id: 'refund', type: 'wait', signal: 'refunded' },
    { id: 'escalate', type: 'wait', signal: 'handled' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'route' },
    { from: 'route', to: 'refund', when: 'input.amount < 100' },
    { from: 'route', to: 'escalate', default: true },
    { from: 'refund', to: 'done' },
    { from: 'escalate', to: 'done' },
  ],
};

describe('ai decisions', () => {
  it('the model picks an edge (an invalid pick is sent back); the choice and reason are recorded and never asked again', async () => {
    const db = join(dir, 'triage.db');
    const model = scriptedModel([
      { text: '{"to":"nowhere","reason":"?"}' },
      { text: '{"to":"escalate","reason":"The customer threatens legal action."}' },
    ]);
    const first = await createRunloom({ store: db, models: { default: model } });
    await first.flows.publish(FLOW);
    const started = await first.runs.start('triage', { text: 'I will sue you', amount: 50 });
    const parked = await first.runs.wait(started.id, (s) => s.status === 'waiting');
    expect(parked.status).toBe('waiting');
    const asked = JSON.stringify(model.doStreamCalls[0].prompt);
    expect(asked).toContain('A customer writes: \\"I will sue you\\"');
    expect(asked).toContain('- \\"refund\\" (when input.amount < 100)');
    expect(asked).toContain('- \\"escalate\\" (the default)');
    expect(JSON.stringify(model.doStreamCalls[1].prompt)).toMatch(/must be equal to one of the allowed values/);
    const events = await first.runs.events(started.id);
    const taken = events.find((e) => e.type === 'decision.taken');
    expect(taken?.data).toEqual({ to: 'escalate', by: 'ai', reason: 'The customer threatens legal action.' });
    const state = await first.runs.state(started.id);
    expect(state.steps.route.output).toEqual({ to: 'escalate', reason: 'The customer threatens legal action.' });
    expect(state.steps.route.detail).toMatchObject({ model: 'default', modelCalls: 2 });
    expect(replay(state.meta, await first.flows.compiled('triage'), events)).toEqual(state);
    await first.close();

    // Reopened with a model that must not be called: the recorded choice stands.
    const silent = scriptedModel(() => {
      throw new Error('asked twice');
    });
    const second = await createRunloom({ store: db, models: { default: silent } });
    await second.runs.signal(started.id, 'handled', {});
    const done = await second.runs.wait(started.id);
    expect(done.status).toBe('completed');
    expect(silent.doStreamCalls).toHaveLength(0);
    await second.close();
  });

  it('asks the model the decision names, within its maxOutputTokens (the flow schema accepted neither before)', async () => {
    const router = scriptedModel([{ text: '{"to":"refund","reason":"A small amount."}' }]);
    const other = scriptedModel(() => {
      throw new Error('the default model was asked');
    });
    const runloom = await createRunloom({ store: 'memory:', models: { default: other, router } });
    try {
      const route = { ...FLOW.nodes[1], model: 'router', maxOutputTokens: 50, maxOutputRetries: 0 };
      await runloom.flows.publish({ ...FLOW, id: 'routed', nodes: FLOW.nodes.map((n) => (n.id === 'route' ? route : n)) });
      const run = await runloom.runs.wait(
        (await runloom.runs.start('routed', { text: 'refund me', amount: 5 })).id,
        (s) => s.status === 'waiting',
      );
      const taken = (await runloom.runs.events(run.id)).find((e) => e.type === 'decision.taken');
      expect(taken?.data).toEqual({ to: 'refund', by: 'ai', reason: 'A small amount.' });
      expect(router.doStreamCalls[0].maxOutputTokens).toBe(50);
      expect(other.doStreamCalls).toHaveLength(0);
      expect((await runloom.runs.state(run.id)).steps.route.detail).toMatchObject({ model: 'router' });
    } finally {
      await runloom.close();
    }
  });
});
