/**
 * How a flow's steps reach their swarm: `swarm.read` returns the swarm as runs see it (expired
 * entries left out) at one version; `swarm.patch` applies operations exactly once per step — the
 * step's idempotency key is the patch's write key, so a retry, a crash between the patch and the
 * step's checkpoint, or a replay applies nothing twice. Registered by createRunloom (they need
 * the swarms API); the run's workspace scopes the swarm.
 *
 * @example
 * - { id: note, type: task, action: swarm.patch,
 *     input: { swarm: "=input.swarmId", ops: [{ op: append, path: blackboard.leads, value: "=vars.lead" }] } }
 */
import { z } from 'zod';
import { defineAction } from '../actions/action.js';
import { RunloomError } from '../errors.js';
import type { PatchOp } from './patch.js';
import type { SwarmsApi } from './swarms.js';

/** The run's workspace, from its state. */
export type WorkspaceOf = (runId: string) => Promise<string | undefined>;

const unavailable = (name: string) =>
  new RunloomError('ACTION_UNAVAILABLE', `${name} runs inside a Runloom instance (createRunloom)`);

export function swarmActions(swarms?: SwarmsApi, workspaceOf?: WorkspaceOf) {
  const scope = async (runId: string) => ({ workspace: (await workspaceOf?.(runId)) ?? 'default' });
  return [
    defineAction({
      name: 'swarm.read',
      description: 'Reads a swarm as its runs see it: goal, team, blackboard values (expired ones left out), subtasks, version.',
      input: z.strictObject({ swarm: z.string().min(1) }),
      cost: 0,
      async run(input, ctx) {
        if (!swarms) throw unavailable('swarm.read');
        return swarms.view(input.swarm, await scope(ctx.runId));
      },
    }),
    defineAction({
      name: 'swarm.patch',
      description: "Applies operations to a swarm's context, once per step (its idempotency key is the write key).",
      input: z.strictObject({
        swarm: z.string().min(1),
        ops: z.array(z.record(z.string(), z.unknown())).min(1),
        expectedVersion: z.number().int().positive().optional(),
      }),
      output: z.object({ version: z.number() }),
      cost: 0,
      async run(input, ctx) {
        if (!swarms) throw unavailable('swarm.patch');
        const swarm = await swarms.patch(input.swarm, input.ops as unknown as PatchOp[], {
          ...(await scope(ctx.runId)),
          author: `run:${ctx.runId}`,
          writeKey: ctx.idempotencyKey,
          ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
        });
        return { version: swarm.version };
      },
    }),
  ];
}
