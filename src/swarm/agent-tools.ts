/**
 * The tools of a swarm's agents (item 7): actions an agent's turn (an `ai` step of the
 * coordinator flow, coordinator.ts) calls while it reasons. The swarm is the run's own
 * (`input.swarm`, set by `startRun`), never one the model names, and the author of every change
 * is the agent whose turn it is (the turn node `turn-<agent>`), so each action lands on the
 * swarm's timeline under that agent. Each call applies once: its idempotency key is the patch's
 * write key, so a retried or replayed turn writes nothing twice.
 *
 * What a tool answers holds no times: the answers go back to the model, and replayed turns
 * (cassettes) must see the same text every time.
 */
import { z } from 'zod';
import { type ActionContext, type ActionDefinition, defineAction } from '../actions/action.js';
import type { RunState } from '../engine/types.js';
import { RunloomError } from '../errors.js';
import type { PatchOp } from './patch.js';
import type { SwarmsApi } from './swarms.js';

/** The prefix of an agent's turn node in the coordinator flow: `turn-scout` is scout's turn. */
export const TURN_PREFIX = 'turn-';
/** The blackboard key an agent's `swarm.finish` writes: the coordinator stops once it is there. */
export const FINISHED_KEY = 'finished';

export type RunOf = (runId: string) => Promise<RunState | undefined>;

/** The run and the swarm it was started in (`input.swarm`, set by `startRun`). */
export async function swarmOfRun(runOf: RunOf, runId: string): Promise<{ run: RunState; swarm: string }> {
  const run = await runOf(runId);
  const swarm = (run?.input as { swarm?: unknown } | undefined)?.swarm;
  if (!run || typeof swarm !== 'string') {
    throw new RunloomError('NOT_IN_SWARM', `run '${runId}' was not started in a swarm (its input has no swarm)`);
  }
  return { run, swarm };
}

/** The tools every agent has unless its `tools` list narrows them. */
export const AGENT_TOOLS = ['swarm.look', 'swarm.write', 'swarm.subtask', 'swarm.finish'] as const;

const pathSchema = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a dotted key under the blackboard');

export function agentTools(swarms: SwarmsApi, runOf: RunOf): ActionDefinition[] {
  /** The run's swarm, workspace and the agent whose turn calls. */
  const member = async (ctx: ActionContext) => {
    const { run, swarm } = await swarmOfRun(runOf, ctx.runId);
    const agent = ctx.nodeId.startsWith(TURN_PREFIX) ? ctx.nodeId.slice(TURN_PREFIX.length) : `run:${ctx.runId}`;
    return { swarm, agent, workspace: run.meta.workspace ?? 'default' };
  };
  const write = async (ctx: ActionContext, ops: PatchOp[]) => {
    const m = await member(ctx);
    const swarm = await swarms.patch(m.swarm, ops, { workspace: m.workspace, author: m.agent, writeKey: ctx.idempotencyKey });
    return { version: swarm.version };
  };
  return [
    defineAction({
      name: 'swarm.look',
      description: "Reads the swarm: its goal, the team, the blackboard's values and the subtasks.",
      input: z.strictObject({}),
      cost: 0,
      async run(_input, ctx) {
        const m = await member(ctx);
        const view = await swarms.view(m.swarm, { workspace: m.workspace });
        return { goal: view.goal, team: view.team, blackboard: view.blackboard, subtasks: view.subtasks };
      },
    }),
    defineAction({
      name: 'swarm.write',
      description: 'Changes the blackboard: set, append, merge or delete the value at a dotted key (e.g. facts.acme).',
      input: z.strictObject({
        op: z.enum(['set', 'append', 'merge', 'delete', 'increment']),
        key: pathSchema,
        value: z.unknown().optional(),
      }),
      output: z.object({ version: z.number() }),
      cost: 0,
      run: (input, ctx) =>
        write(ctx, [{ op: input.op, path: `blackboard.${input.key}`, value: input.value } as unknown as PatchOp]),
    }),
    defineAction({
      name: 'swarm.subtask',
      description: 'Creates a subtask (id, title, optional assignee), claims one for yourself, or completes it with a result.',
      input: z.strictObject({
        action: z.enum(['create', 'claim', 'complete', 'fail']),
        id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _'),
        title: z.string().min(1).optional(),
        assignee: z.string().min(1).optional(),
        result: z.unknown().optional(),
      }),
      output: z.object({ version: z.number() }),
      cost: 0,
      async run(input, ctx) {
        const path = `subtasks.${input.id}`;
        if (input.action === 'create') {
          if (!input.title) throw new RunloomError('INPUT_INVALID', 'swarm.subtask create: title is required');
          const task = { title: input.title, status: 'open', ...(input.assignee ? { assignee: input.assignee } : {}) };
          return write(ctx, [{ op: 'set', path, value: task } as PatchOp]);
        }
        const m = await member(ctx);
        const current = (await swarms.get(m.swarm, { workspace: m.workspace })).context.subtasks[input.id];
        if (!current) throw new RunloomError('NOT_FOUND', `swarm.subtask ${input.action}: there is no subtask '${input.id}'`);
        const change =
          input.action === 'claim'
            ? { status: 'claimed', assignee: m.agent }
            : { status: input.action === 'complete' ? 'done' : 'failed', result: input.result ?? null };
        return write(ctx, [{ op: 'merge', path, value: change } as PatchOp]);
      },
    }),
    defineAction({
      name: 'swarm.finish',
      description: "Declares the swarm's goal reached (or given up), with the outcome: the coordinator stops after this turn.",
      input: z.strictObject({ outcome: z.string().min(1), reached: z.boolean().default(true) }),
      output: z.object({ version: z.number() }),
      cost: 0,
      run: (input, ctx) => write(ctx, [{ op: 'set', path: `blackboard.${FINISHED_KEY}`, value: input } as PatchOp]),
    }),
  ];
}
