import { afterEach, describe, expect, it } from 'vitest';
import { FlowInvalidError } from '../../src/errors.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';

const flow = (message: string) => ({
  format: 'runloom/v1',
  id: 'greet',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'hold', type: 'wait', signal: 'go' },
    { id: 'say', type: 'task', action: 'template', input: { template: message }, output: 'said' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'hold' },
    { from: 'hold', to: 'say' },
    { from: 'say', to: 'end' },
  ],
});

describe('flow versions', () => {
  let runloom: Runloom | undefined;
  afterEach(async () => {
    await runloom?.close();
  });

  it('publishes a new version only when the definition changed', async () => {
    runloom = await createRunloom({ store: 'memory:' });
    expect((await runloom.flows.publish(flow('v1'))).version).toBe(1);
    expect((await runloom.flows.publish(flow('v1'))).version).toBe(1);
    expect((await runloom.flows.publish(flow('v2'))).version).toBe(2);
    expect((await runloom.flows.get('greet', 1)).definition).toMatchObject({
      nodes: [{}, {}, { input: { template: 'v1' } }, {}],
    });
  });

  it('pins a run to the version it started on: publishing never changes a running run', async () => {
    const engine = await createRunloom({ store: 'memory:' });
    runloom = engine;
    await engine.flows.publish(flow('first'));
    const early = await engine.runs.start('greet');
    await engine.flows.publish(flow('second'));
    const late = await engine.runs.start('greet');
    const pinned = await engine.runs.start({ flowId: 'greet', version: 1 });
    for (const run of [early, late, pinned]) await engine.runs.signal(run.id, 'go');
    const said = async (id: string) => ((await engine.runs.wait(id)).vars.said as { text: string }).text;
    expect(early.flowVersion).toBe(1);
    expect(await said(early.id)).toBe('first');
    expect(late.flowVersion).toBe(2);
    expect(await said(late.id)).toBe('second');
    expect(await said(pinned.id)).toBe('first');
  });

  it('refuses an invalid flow with every problem and stores nothing', async () => {
    runloom = await createRunloom({ store: 'memory:' });
    const bad = { ...flow('x'), edges: [{ from: 'start', to: 'nowhere' }] };
    const error = await runloom.flows.publish(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowInvalidError);
    const codes = (error as FlowInvalidError).problems.map((p) => p.code);
    expect(codes).toContain('UNKNOWN_NODE');
    expect(codes).toContain('UNREACHABLE_NODE');
    expect(await runloom.flows.list()).toEqual([]);
  });
});
