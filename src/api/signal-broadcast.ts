/**
 * `signal.broadcast`: a signal thrown by one run reaches every other run of the same store that
 * listens for it (a wait for that signal, or a signal boundary on the node a token is at) — what
 * a BPMN signal throw event means. Registered by createRunloom, since it needs the runs API.
 *
 * @example
 * - { id: shout, type: task, action: signal.broadcast, input: { name: price-changed } }
 */
import { z } from 'zod';
import { defineAction } from '../actions/action.js';
import { RunloomError } from '../errors.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { FlowsApi } from './flows.js';
import type { RunsApi } from './runs.js';

function listens(flow: CompiledFlow, node: number, name: string): boolean {
  const at = flow.nodes[node] as { signal?: string; boundaries: readonly { on: string; signal?: string }[] };
  return at.signal === name || at.boundaries.some((b) => b.on === 'signal' && b.signal === name);
}

/** The action; without `runloom` (to validate flows only) it refuses to run. */
export function signalBroadcastAction(runloom?: { readonly runs: RunsApi; readonly flows: FlowsApi }) {
  return defineAction({
    name: 'signal.broadcast',
    description: 'Sends a signal to every other run of this store that waits for it; returns the runs it reached.',
    input: z.strictObject({ name: z.string().min(1), payload: z.unknown().optional() }),
    output: z.object({ reached: z.array(z.string()) }),
    cost: 0,
    async run(input, ctx) {
      if (!runloom)
        throw new RunloomError('ACTION_UNAVAILABLE', 'signal.broadcast runs inside a Runloom instance (createRunloom)');
      const { runs, flows } = runloom;
      const reached: string[] = [];
      for (const run of await runs.list({ status: ['waiting', 'running'] })) {
        if (run.id === ctx.runId) continue;
        const state = await runs.state(run.id);
        const flow = await flows.compiled(run.flowId, run.flowVersion);
        if (!state.tokens.some((t) => t.status !== 'failed' && listens(flow, t.node, input.name))) continue;
        await runs.signal(run.id, input.name, input.payload);
        reached.push(run.id);
      }
      return { reached };
    },
  });
}
