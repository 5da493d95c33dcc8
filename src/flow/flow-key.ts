/** Flow keys: how a flow id is named across workspaces (F9.2). */

export const DEFAULT_WORKSPACE = 'default';

/**
 * The key a flow is stored and compiled under: its id in the `default` workspace, else
 * `workspace/id`. A flow id is a slug without `/`, so keys of different workspaces never meet,
 * and a run's `meta.flowId` (the key) resolves to its own workspace's flow wherever it runs.
 */
export const flowKey = (workspace: string | undefined, flowId: string): string =>
  workspace === undefined || workspace === DEFAULT_WORKSPACE ? flowId : `${workspace}/${flowId}`;

/** A flow key's workspace and plain id. */
export function splitFlowKey(key: string): { workspace: string; flowId: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { workspace: DEFAULT_WORKSPACE, flowId: key }
    : { workspace: key.slice(0, slash), flowId: key.slice(slash + 1) };
}
