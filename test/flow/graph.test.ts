/** Graph helpers: dominators, common dominators, join upstream sets. */
import { describe, expect, it } from 'vitest';
import { buildGraph, commonDominator, dominates, immediateDominators, upstreamOf } from '../../src/flow/graph.js';

// 0 start → 1 decision → 2 a | 3 b → 4 merge → 5 end, and 4 → 1 (a loop back).
const graph = buildGraph(7, [
  [0, 1],
  [1, 2],
  [1, 3],
  [2, 4],
  [3, 4],
  [4, 5],
  [4, 1],
]);

describe('graph', () => {
  it('computes immediate dominators (unreachable nodes have none)', () => {
    expect([...immediateDominators(graph, 0)]).toEqual([-1, 0, 1, 1, 1, 4, -1]);
  });

  it('answers dominance and nearest common dominators', () => {
    const idom = immediateDominators(graph, 0);
    expect(dominates(idom, 1, 5)).toBe(true);
    expect(dominates(idom, 2, 4)).toBe(false);
    expect(dominates(idom, 3, 3)).toBe(true);
    expect(commonDominator(idom, 0, 2, 3)).toBe(1);
    expect(commonDominator(idom, 0, 2, 5)).toBe(1);
    expect(commonDominator(idom, 0, 2, 6)).toBe(-1);
  });

  it('gives a join the nodes that can still reach it without passing through it', () => {
    expect([...upstreamOf(graph, 4)]).toEqual([1, 1, 1, 1, 0, 0, 0]);
    expect([...upstreamOf(graph, 5)]).toEqual([1, 1, 1, 1, 1, 0, 0]);
  });
});
