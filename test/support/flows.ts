/** Flow definitions the engine and runtime tests build again and again, in `runloom/v1` form. */

/** A fork/join flow: start → a parallel split → each given node → a parallel join → end. */
export function forkJoinFlow(
  id: string,
  branches: readonly Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ids = branches.map((node) => node.id as string);
  return {
    format: 'runloom/v1',
    id,
    ...extra,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'fork', type: 'parallel' },
      ...branches,
      { id: 'join', type: 'parallel' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'fork' },
      ...ids.flatMap((branch) => [
        { from: 'fork', to: branch },
        { from: branch, to: 'join' },
      ]),
      { from: 'join', to: 'end' },
    ],
  };
}

/** A linear flow: start → the given nodes in order → end. */
export function linearFlow(
  id: string,
  nodes: readonly Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ids = ['start', ...nodes.map((node) => node.id as string), 'end'];
  return {
    format: 'runloom/v1',
    id,
    ...extra,
    nodes: [{ id: 'start', type: 'start' }, ...nodes, { id: 'end', type: 'end' }],
    edges: ids.slice(1).map((to, i) => ({ from: ids[i], to })),
  };
}
