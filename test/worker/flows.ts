/** Flows the multi-process tests run: built in code, so their shape is easy to read and to vary. */

type Node = Record<string, unknown>;
type Edge = { from: string; to: string };

const work = (id: string, minMs: number, maxMs: number): Node => ({
  id,
  type: 'task',
  action: 'test.work',
  input: { node: id, minMs, maxMs },
  output: id,
});

/** `count` work steps one after another. */
export function sequentialFlow(id: string, count: number, minMs = 0, maxMs = 0): Record<string, unknown> {
  const nodes: Node[] = [{ id: 'start', type: 'start' }];
  const edges: Edge[] = [];
  let last = 'start';
  for (let i = 1; i <= count; i++) {
    nodes.push(work(`s${i}`, minMs, maxMs));
    edges.push({ from: last, to: `s${i}` });
    last = `s${i}`;
  }
  nodes.push({ id: 'end', type: 'end' });
  edges.push({ from: last, to: 'end' });
  return { format: 'runloom/v1', id, nodes, edges };
}

/**
 * 50 work steps: 10 in a row, a fork into 4 branches of 8, the join, 8 more in a row. Returns
 * the flow and its work step ids.
 */
export function chaosFlow(id: string, minMs: number, maxMs: number): { flow: Record<string, unknown>; steps: string[] } {
  const nodes: Node[] = [{ id: 'start', type: 'start' }];
  const edges: Edge[] = [];
  const steps: string[] = [];
  const chain = (from: string, prefix: string, count: number): string => {
    let last = from;
    for (let i = 1; i <= count; i++) {
      const stepId = `${prefix}${i}`;
      nodes.push(work(stepId, minMs, maxMs));
      steps.push(stepId);
      edges.push({ from: last, to: stepId });
      last = stepId;
    }
    return last;
  };
  const head = chain('start', 'a', 10);
  nodes.push({ id: 'fork', type: 'parallel' }, { id: 'join', type: 'parallel' });
  edges.push({ from: head, to: 'fork' });
  for (const branch of ['b', 'c', 'd', 'e']) edges.push({ from: chain('fork', branch, 8), to: 'join' });
  const tail = chain('join', 'f', 8);
  nodes.push({ id: 'end', type: 'end' });
  edges.push({ from: tail, to: 'end' });
  return { flow: { format: 'runloom/v1', id, nodes, edges }, steps };
}

/**
 * Two branches: a 1.5 s timer then a step, and a slow step (2.5 s); joined. A worker killed in
 * the first second dies holding the run with its timer armed.
 */
export function timerRaceFlow(id: string): Record<string, unknown> {
  return {
    format: 'runloom/v1',
    id,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'fork', type: 'parallel' },
      { id: 'pause', type: 'timer', duration: '1500ms' },
      work('afterTimer', 0, 0),
      work('slow', 2500, 2500),
      { id: 'join', type: 'parallel' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'fork' },
      { from: 'fork', to: 'pause' },
      { from: 'pause', to: 'afterTimer' },
      { from: 'afterTimer', to: 'join' },
      { from: 'fork', to: 'slow' },
      { from: 'slow', to: 'join' },
      { from: 'join', to: 'end' },
    ],
  };
}

/** A step, then a run parked on a 2 s timer (no lease held), then a step. */
export function parkedTimerFlow(id: string): Record<string, unknown> {
  return {
    format: 'runloom/v1',
    id,
    nodes: [
      { id: 'start', type: 'start' },
      work('before', 0, 0),
      { id: 'pause', type: 'timer', duration: '2s' },
      work('afterTimer', 0, 0),
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'before' },
      { from: 'before', to: 'pause' },
      { from: 'pause', to: 'afterTimer' },
      { from: 'afterTimer', to: 'end' },
    ],
  };
}
