/**
 * What an executor reports about a step (StepResult.detail, PaidStepFailure) is kept in the
 * step's event and on its record, charged to the run, and survives a reload from the store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { replay } from '../../src/engine/replay.js';
import { RunloomError } from '../../src/errors.js';
import { PaidStepFailure } from '../../src/runtime/executors.js';
import { closeAll, openRunloom, STORE_KINDS } from './support.js';

afterEach(closeAll);

const flow = {
  format: 'runloom/v1',
  id: 'detail',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'think', type: 'ai', prompt: 'hello', input: { fail: '=input.fail' } },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'think' },
    { from: 'think', to: 'done' },
  ],
};

describe.each(STORE_KINDS)('step detail (%s store)', (kind) => {
  it('a completed step keeps its detail and cost; a paid failure charges the run and keeps its detail', async () => {
    const runloom = await openRunloom(kind, [], {
      executors: {
        ai: async (request) => {
          const { input } = request.input as { input: { fail?: boolean } };
          const detail = { model: 'm', tokensIn: 3, tokensOut: 4 };
          if (input.fail) throw new PaidStepFailure(new RunloomError('AI_OUTPUT_INVALID', 'bad answer'), 7, detail);
          return { output: 'ok', cost: 5, detail };
        },
      },
    });
    await runloom.flows.publish(flow);
    const ok = await runloom.runs.wait((await runloom.runs.start('detail', {})).id);
    expect(ok.status).toBe('completed');
    expect(ok.usage.credits).toBe(5);
    const state = await runloom.runs.state(ok.id);
    expect(state.steps.think).toMatchObject({ status: 'completed', output: 'ok', detail: { model: 'm', tokensIn: 3 } });
    const events = await runloom.runs.events(ok.id);
    const completed = events.find((e) => e.type === 'step.completed');
    expect(completed?.data).toMatchObject({ cost: 5, detail: { model: 'm', tokensOut: 4 } });
    // Replay folds the logged detail back onto the record.
    const flowDef = await runloom.flows.compiled('detail');
    expect(replay(state.meta, flowDef, events).steps.think).toEqual(state.steps.think);

    const bad = await runloom.runs.wait((await runloom.runs.start('detail', { fail: true })).id);
    expect(bad.status).toBe('failed');
    expect(bad.usage.credits).toBe(7);
    const failed = (await runloom.runs.events(bad.id)).find((e) => e.type === 'step.failed');
    expect(failed?.data).toMatchObject({
      cost: 7,
      detail: { model: 'm' },
      error: { code: 'AI_OUTPUT_INVALID', message: 'bad answer' },
    });
  });
});
