/** compileFlow: indices, adjacency, join upstream sets, resolved settings. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FlowInvalidError } from '../../src/errors.js';
import { assertValidFlow, type CompiledNode, compileFlow, DEFAULT_RETRY, loadFlow } from '../../src/flow/index.js';
import { createCatalog, fixture, fixtureActions } from './support.js';

const read = (name: string) => readFileSync(fixture(`valid/${name}`), 'utf8');
const upstreamIds = (flow: { nodes: readonly CompiledNode[] }, node: CompiledNode) => {
  if (node.type !== 'parallel' && node.type !== 'inclusive') throw new Error('gateway expected');
  return flow.nodes.filter((n) => node.upstream[n.index] === 1).map((n) => n.id);
};

/** A minimal flow around the given nodes: start → …nodes in order… → done. */
function chain(nodes: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const all = [{ id: 'start', type: 'start' }, ...nodes, { id: 'done', type: 'end' }];
  return {
    format: 'runloom/v1',
    id: 'chain',
    nodes: all,
    edges: all.slice(1).map((n, i) => ({ from: all[i].id, to: n.id })),
    ...extra,
  };
}

describe('compileFlow', () => {
  it('indexes a diamond fork/join', () => {
    const flow = loadFlow(read('diamond.yaml'), { actions: fixtureActions });
    expect([...flow.nodeIndex]).toEqual([
      ['start', 0],
      ['fork', 1],
      ['a', 2],
      ['b', 3],
      ['join', 4],
      ['done', 5],
    ]);
    expect(flow.start).toBe(0);
    expect(flow.edges.map((e) => [e.index, e.from, e.to])).toEqual([
      [0, 0, 1],
      [1, 1, 2],
      [2, 1, 3],
      [3, 2, 4],
      [4, 3, 4],
      [5, 4, 5],
    ]);
    expect(flow.nodes.map((n) => [n.outgoing, n.incoming])).toEqual([
      [[0], []],
      [[1, 2], [0]],
      [[3], [1]],
      [[4], [2]],
      [[5], [3, 4]],
      [[], [5]],
    ]);
    const join = flow.nodes[4];
    expect(join.type).toBe('parallel');
    // Only the block the fork opened: a token before the fork belongs to a later activation.
    expect(upstreamIds(flow, join)).toEqual(['a', 'b']);
    if (join.type === 'parallel') expect(join.upstream).toHaveLength(6);
  });

  it('indexes a loop: the join waits only for its own block, not for the way back round the loop', () => {
    const flow = loadFlow(read('loop.yaml'), { actions: fixtureActions });
    const id = (i: number) => flow.nodes[i].id;
    const check = flow.nodes[flow.nodeIndex.get('check')!];
    expect(check.outgoing.map((e) => id(flow.edges[e].to))).toEqual(['prep', 'done']);
    const prep = flow.nodes[flow.nodeIndex.get('prep')!];
    expect(prep.incoming.map((e) => id(flow.edges[e].from))).toEqual(['start', 'check']);
    const join = flow.nodes[flow.nodeIndex.get('join')!];
    // Not `start`/`prep` (before the fork that opens the block); `check` is inside the fork's region.
    expect(upstreamIds(flow, join)).toEqual(['a', 'b', 'check']);
    expect(flow.edges[7].when?.source).toBe('vars.again');
    expect(flow.edges[8].isDefault).toBe(true);
  });

  it('counts boundary targets as on the way to a join', () => {
    const flow = loadFlow(
      {
        format: 'runloom/v1',
        id: 'boundary-join',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'fork', type: 'parallel' },
          { id: 'work', type: 'task', action: 'log', boundary: [{ on: 'error', to: 'fix' }] },
          { id: 'fix', type: 'task', action: 'log' },
          { id: 'other', type: 'task', action: 'log' },
          { id: 'join', type: 'inclusive' },
          { id: 'done', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'fork' },
          { from: 'fork', to: 'work' },
          { from: 'fork', to: 'other' },
          { from: 'work', to: 'join' },
          { from: 'fix', to: 'join' },
          { from: 'other', to: 'join' },
          { from: 'join', to: 'done' },
        ],
      },
      { actions: fixtureActions },
    );
    expect(upstreamIds(flow, flow.nodes[5])).toEqual(['work', 'fix', 'other']);
  });

  it('resolves retry: node > action > flow default > built-in', () => {
    const actions = createCatalog(['plain', 'sturdy'], {
      sturdy: { retry: { maxAttempts: 5, initialDelay: 200 }, timeout: 9000 },
    });
    const flow = loadFlow(
      chain(
        [
          { id: 'a', type: 'task', action: 'plain' },
          { id: 'b', type: 'task', action: 'sturdy' },
          { id: 'c', type: 'task', action: 'sturdy', retry: { maxAttempts: 2 }, timeout: '1s' },
          { id: 'd', type: 'parallel' },
        ],
        { defaults: { retry: { backoff: 'fixed', maxDelay: '2m' } } },
      ),
      { actions },
    );
    const [, a, b, c, d] = flow.nodes;
    expect(a.retry).toEqual({ ...DEFAULT_RETRY, backoff: 'fixed', maxDelay: 120_000 });
    expect(b.retry).toEqual({ maxAttempts: 5, backoff: 'fixed', initialDelay: 200, maxDelay: 120_000, factor: 2 });
    expect(b.timeout).toBe(9000);
    expect(c.retry).toEqual({ maxAttempts: 2, backoff: 'fixed', initialDelay: 200, maxDelay: 120_000, factor: 2 });
    expect(c.timeout).toBe(1000);
    expect(d.retry).toEqual({ ...DEFAULT_RETRY, backoff: 'fixed', maxDelay: 120_000 });
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 1, backoff: 'exponential', initialDelay: 1000, maxDelay: 60_000, factor: 2 });
  });

  it('estimates cost from the node, the action fixed cost or the action estimate', () => {
    const actions = createCatalog(['fixed', 'perItem', 'broken', 'free'], {
      fixed: { cost: 4 },
      perItem: {
        input: z.object({ items: z.array(z.number()) }),
        cost: (input) => (input as { items: number[] }).items.length * 2,
      },
      broken: {
        cost: () => {
          throw new Error('boom');
        },
      },
    });
    const flow = loadFlow(
      chain([
        { id: 'a', type: 'task', action: 'fixed' },
        { id: 'b', type: 'task', action: 'perItem', input: '=vars.order' }, // checked by its action when it runs
        { id: 'c', type: 'task', action: 'fixed', cost: 1 },
        { id: 'd', type: 'task', action: 'broken' },
        { id: 'e', type: 'task', action: 'free' },
        { id: 'f', type: 'ai', prompt: 'hi' },
      ]),
      { actions },
    );
    const cost = (i: number, input: unknown) => {
      const node = flow.nodes[i];
      if (node.type !== 'task' && node.type !== 'ai') throw new Error('activity expected');
      return node.estimateCost(input);
    };
    expect(cost(1, {})).toBe(4);
    expect(cost(2, { items: [1, 2, 3] })).toBe(6);
    expect(cost(2, { items: 'nope' })).toBe(0);
    expect(cost(3, {})).toBe(1);
    expect(cost(4, {})).toBe(0);
    expect(cost(5, {})).toBe(0);
    expect(cost(6, {})).toBe(0);
  });

  it('resolves limits and onLimit per limit', () => {
    const flow = loadFlow(
      chain([{ id: 'a', type: 'task', action: 'log' }], {
        defaults: { limits: { maxTime: '1h30m', maxParallel: 3 }, onLimit: { maxTime: 'pause' }, onBranchFailure: 'continue' },
      }),
      { actions: fixtureActions },
    );
    expect(flow.limits).toEqual({ maxSteps: 1000, maxTime: 5_400_000, maxCredits: Number.MAX_SAFE_INTEGER, maxParallel: 3 });
    expect(JSON.parse(JSON.stringify(flow.limits)).maxCredits).toBe(Number.MAX_SAFE_INTEGER);
    expect(flow.onLimit).toEqual({ maxSteps: 'fail', maxTime: 'pause', maxCredits: 'fail' });
    expect(flow.onBranchFailure).toBe('continue');
    const paused = loadFlow(chain([], { defaults: { onLimit: 'pause', allowStrategyOverride: false } }));
    expect(paused.onLimit).toEqual({ maxSteps: 'pause', maxTime: 'pause', maxCredits: 'pause' });
    expect(paused.allowStrategyOverride).toBe(false);
    expect(paused.output).toBeUndefined();
    expect(paused.checkInput).toBeUndefined();
  });

  it('map concurrency defaults to maxParallel; body retry and timeout resolve like a task', () => {
    const actions = createCatalog(['send'], { send: { retry: { maxAttempts: 4 }, timeout: 5000, cost: 2 } });
    const flow = loadFlow(
      chain([{ id: 'each', type: 'map', items: '=vars.list', do: { type: 'task', action: 'send', input: { to: '=item' } } }], {
        defaults: { limits: { maxParallel: 4 } },
      }),
      { actions },
    );
    const each = flow.nodes[1];
    if (each.type !== 'map' || each.body.type !== 'task') throw new Error('map of tasks expected');
    expect(each.concurrency).toBe(4);
    expect(each.body.retry.maxAttempts).toBe(4);
    expect(each.body.timeout).toBe(5000);
    expect(each.body.estimateCost({ to: 'x' })).toBe(2);
    expect(each.body.input.evaluate({ item: 'a@b.c' })).toEqual({ to: 'a@b.c' });
  });

  it('refuses a definition naming an unknown node (compile expects a validated flow)', () => {
    const def = assertValidFlow(chain([{ id: 'a', type: 'task', action: 'log' }]));
    const broken = { ...def, edges: [...(def.edges ?? []), { from: 'a', to: 'ghost' }] };
    expect(() => compileFlow(broken, 1)).toThrow(FlowInvalidError);
  });

  it('loadFlow throws FlowInvalidError with every problem', () => {
    expect(() => loadFlow('format: runloom/v1\nid: x\nnodes: []\n', { sourceName: 'x.yaml' })).toThrow(
      /x\.yaml: flow is invalid/,
    );
  });
});
