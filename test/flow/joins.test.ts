/**
 * JOIN_NEVER_FIRES: a parallel join fed by mutually exclusive paths (or only through itself)
 * is refused; joins fed by forks, loops through decisions and concurrent decisions are not.
 */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../src/flow/index.js';

/** Builds a flow from `a -> b` edge strings; node types come from `types` (default task). */
function flow(edges: string[], types: Record<string, string | Record<string, unknown>>) {
  const ids = new Set<string>();
  const parsed = edges.map((line) => {
    const [from, rest] = line.split(' -> ');
    const [to, ...marks] = rest.split(' ');
    ids.add(from).add(to);
    const edge: Record<string, unknown> = { from, to };
    if (marks.includes('default')) edge.default = true;
    if (marks.includes('when')) edge.when = 'vars.x';
    return edge;
  });
  const nodes = [...ids].map((id) => {
    const spec = types[id] ?? 'task';
    const fields = typeof spec === 'string' ? { type: spec } : spec;
    return { id, ...(fields.type === 'task' ? { action: 'log' } : {}), ...fields };
  });
  return { format: 'runloom/v1', id: 'joins', nodes, edges: parsed };
}

const codes = (raw: unknown) => validateFlow(raw).problems.map((p) => `${p.code} @ ${p.path}`);
const gateways = { start: 'start', done: 'end', join: 'parallel', fork: 'parallel', d: 'decision', r: 'race' };

describe('JOIN_NEVER_FIRES', () => {
  it('flags a join fed by two branches of one decision', () => {
    const raw = flow(['start -> d', 'd -> a when', 'd -> b default', 'a -> join', 'b -> join', 'join -> done'], gateways);
    expect(codes(raw)).toEqual(['JOIN_NEVER_FIRES @ nodes[4]']);
  });

  it('flags a join fed directly by a decision edge and by another of its branches', () => {
    const raw = flow(['start -> d', 'd -> join when', 'd -> a default', 'a -> join', 'join -> done'], gateways);
    expect(codes(raw)).toEqual(['JOIN_NEVER_FIRES @ nodes[2]']);
  });

  it('flags a join fed by two branches of a race', () => {
    const raw = flow(['start -> r', 'r -> w', 'r -> t', 'w -> join', 't -> join', 'join -> done'], {
      ...gateways,
      w: { type: 'wait', signal: 'reply' },
      t: { type: 'timer', duration: '1d' },
    });
    expect(codes(raw)).toEqual(['JOIN_NEVER_FIRES @ nodes[4]']);
  });

  it('flags a join that can only be reached through itself', () => {
    // `fork` has two incoming edges (start and the loop back from d): it waits for the loop forever.
    const raw = flow(
      ['start -> fork', 'fork -> a', 'fork -> b', 'a -> join', 'b -> join', 'join -> d', 'd -> fork when', 'd -> done default'],
      gateways,
    );
    expect(codes(raw)).toEqual(['JOIN_NEVER_FIRES @ nodes[1]']);
  });

  it('accepts a join fed by a parallel fork', () => {
    const raw = flow(['start -> fork', 'fork -> a', 'fork -> b', 'a -> join', 'b -> join', 'join -> done'], gateways);
    expect(codes(raw)).toEqual([]);
  });

  it('accepts a fork/join behind a decision that loops back into the decision', () => {
    const raw = flow(
      ['start -> d', 'd -> fork when', 'd -> done default', 'fork -> a', 'fork -> b', 'a -> join', 'b -> join', 'join -> d'],
      gateways,
    );
    expect(codes(raw)).toEqual([]);
  });

  it('accepts a retry loop through a decision inside one branch', () => {
    const raw = flow(
      ['start -> fork', 'fork -> a', 'fork -> b', 'b -> d', 'd -> b when', 'd -> join default', 'a -> join', 'join -> done'],
      gateways,
    );
    expect(codes(raw)).toEqual([]);
  });

  it('accepts a decision that two concurrent tokens pass through', () => {
    const raw = flow(
      [
        'start -> fork',
        'fork -> x',
        'fork -> y',
        'x -> d',
        'y -> d',
        'd -> p when',
        'd -> q default',
        'p -> join',
        'q -> join',
        'join -> done',
      ],
      gateways,
    );
    expect(codes(raw)).toEqual([]);
  });

  it('accepts an inclusive join fed by exclusive paths (it waits only for what was activated)', () => {
    const raw = flow(['start -> d', 'd -> a when', 'd -> b default', 'a -> join', 'b -> join', 'join -> done'], {
      ...gateways,
      join: 'inclusive',
    });
    expect(codes(raw)).toEqual([]);
  });

  it('flags an exclusive pair even after a fork/join upstream has merged its tokens', () => {
    const raw = flow(
      [
        'start -> fork',
        'fork -> x',
        'fork -> y',
        'x -> m',
        'y -> m',
        'm -> d',
        'd -> p when',
        'd -> q default',
        'p -> join',
        'q -> join',
        'join -> done',
      ],
      { ...gateways, m: 'parallel' },
    );
    expect(codes(raw)).toEqual(['JOIN_NEVER_FIRES @ nodes[8]']);
  });
});
