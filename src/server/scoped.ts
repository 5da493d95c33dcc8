/**
 * The workspace check every `run`/`flow` route goes through: what the path names must belong to
 * the key's workspace, else it is "not found" — the same answer as an id that does not exist, so
 * a key never learns whether another workspace's id is real.
 */
import type { WorkspaceFlows } from '../api/flows.js';
import type { RunState } from '../engine/types.js';
import { notFound } from '../errors.js';
import type { FlowVersionRecord } from '../store/store.js';
import { DEFAULT_WORKSPACE } from './keys.js';
import type { ApiContext } from './route-table.js';

export const workspaceOf = (state: RunState): string => state.meta.workspace ?? DEFAULT_WORKSPACE;

/** The run, if it is this request's workspace's; else NOT_FOUND. */
export async function runIn(c: ApiContext, runId: string): Promise<RunState> {
  const { runloom } = c.get('deps');
  let state: RunState;
  try {
    state = await runloom.runs.state(runId);
  } catch (error) {
    throw error instanceof Error && (error as { code?: string }).code === 'NOT_FOUND' ? notFound('run', runId) : error;
  }
  if (workspaceOf(state) !== c.get('workspace')) throw notFound('run', runId);
  return state;
}

/** The request's workspace's flows (ids are unique per workspace). */
export const flowsOf = (c: ApiContext): WorkspaceFlows => c.get('deps').runloom.flows.in(c.get('workspace'));

/** A flow version of the request's workspace; NOT_FOUND for another workspace's. */
export const flowIn = (c: ApiContext, flowId: string, version?: number): Promise<FlowVersionRecord> =>
  flowsOf(c).get(flowId, version);
