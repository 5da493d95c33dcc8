/** `allowStrategyOverride: false` refuses a run option and a subflow call that impose a strategy (F4.3). */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, openRunloom } from './support.js';

afterEach(closeAll);

const closed = {
  format: 'runloom/v1',
  id: 'closed',
  defaults: { allowStrategyOverride: false },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'done', type: 'end' },
  ],
  edges: [{ from: 'start', to: 'done' }],
};

const caller = {
  format: 'runloom/v1',
  id: 'caller',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'call', type: 'subflow', flow: 'closed', strategy: 'reasoning' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'call' },
    { from: 'call', to: 'done' },
  ],
};

describe('strategy overrides', () => {
  it('a run option on a closed flow is refused at start; a bad name anywhere; an open flow takes it', async () => {
    const runloom = await openRunloom('sqlite');
    await runloom.flows.publish(closed);
    await runloom.flows.publish(caller);
    await expect(runloom.runs.start('closed', {}, { strategy: 'reasoning' })).rejects.toThrow(
      /run option: flow 'closed' sets allowStrategyOverride: false, so strategy 'reasoning' cannot be imposed/,
    );
    await expect(runloom.runs.start('caller', {}, { strategy: 'clever' })).rejects.toThrow(
      /run option: strategy must be one of auto, deterministic, reasoning, conversational, not "clever"/,
    );
    expect(await runloom.runs.list({})).toHaveLength(0);
    const ok = await runloom.runs.wait((await runloom.runs.start('closed', {})).id);
    expect(ok.status).toBe('completed');
  });

  it('a subflow call imposing a strategy on a closed flow fails the call, naming it', async () => {
    const runloom = await openRunloom('sqlite');
    await runloom.flows.publish(closed);
    await runloom.flows.publish(caller);
    const run = await runloom.runs.wait((await runloom.runs.start('caller', {})).id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'STRATEGY_OVERRIDE_REFUSED' });
    expect(run.error?.message).toMatch(/subflow call 'call': flow 'closed' sets allowStrategyOverride: false/);
  });
});
