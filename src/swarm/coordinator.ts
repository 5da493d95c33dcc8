/**
 * The coordinator of a swarm's agents (item 7): itself a runloom/v1 flow, generated from the
 * team, so it is checkpointed like any run and survives a crash between turns. Its loop:
 *
 *   pick (swarm.next) → route on the agent picked → turn-<agent> (an `ai` step in the
 *   `reasoning` strategy with the swarm tools) → pick … → end when pick names no agent.
 *
 * `swarm.next` picks by the swarm's `policies.pick`: `round-robin` (default: the agent after the
 * last one), `subtasks` (the assignee of the first open or claimed subtask, else round-robin),
 * or `leader` (`policies.leader`, default the first agent, takes every other turn and names the
 * next agent at `blackboard.next`; a name not on the team falls back to round-robin).
 * It stops — names no agent, with the reason — when an agent finished the swarm (goal done), the
 * coordinator's credits reached the budget, `policies.maxTurns` turns were taken, or the swarm
 * was stopped (`swarms stop`). Each pick is a step of the run; each agent action is a patch
 * by that agent on the swarm's timeline.
 */
import { z } from 'zod';
import { defineAction } from '../actions/action.js';
import { RequestError } from '../errors.js';
import { AGENT_TOOLS, FINISHED_KEY, type RunOf, swarmOfRun, TURN_PREFIX } from './agent-tools.js';
import type { SwarmAgent, SwarmContext } from './context.js';
import type { SwarmsApi } from './swarms.js';

export const PICKS = ['round-robin', 'subtasks', 'leader'] as const;
/** The blackboard key a leader writes the next agent's id to (`policies.pick: leader`). */
export const NEXT_KEY = 'next';
export type Pick = (typeof PICKS)[number];
/** Turns when the swarm's policies set no `maxTurns`: a team never talks forever. */
export const DEFAULT_MAX_TURNS = 20;

export type StopReason = 'goal' | 'budget' | 'turns' | 'stopped';
export interface Choice {
  /** The agent whose turn is next; absent: the coordinator stops. */
  readonly agent?: string;
  readonly turn: number;
  readonly stop?: StopReason;
}

/** The id of the coordinator flow of a swarm. */
export const coordinatorFlowId = (swarmId: string) => `${swarmId}-coordinator`;

/** The next agent, or why there is none, after `turn` turns and `last` (the agent of the last turn). */
export function chooseNext(
  context: SwarmContext,
  state: { turn: number; last?: string; stopped: boolean; spent: number },
): Choice {
  const { turn } = state;
  if (state.stopped) return { turn, stop: 'stopped' };
  if (context.blackboard[FINISHED_KEY] !== undefined) return { turn, stop: 'goal' };
  if (state.spent >= context.resources.budget) return { turn, stop: 'budget' };
  if (turn >= (context.policies.maxTurns ?? DEFAULT_MAX_TURNS)) return { turn, stop: 'turns' };
  const team = context.team;
  if (team.length === 0) return { turn, stop: 'goal' };
  const { pick = 'round-robin', leader = team[0]?.id } = context.policies as { pick?: Pick; leader?: string };
  if (pick === 'leader') {
    // The leader takes every other turn; after it, the agent it named on the blackboard.
    if (state.last !== leader) return { agent: leader, turn: turn + 1 };
    const named = context.blackboard[NEXT_KEY]?.value;
    if (typeof named === 'string' && named !== leader && team.some((a) => a.id === named))
      return { agent: named, turn: turn + 1 };
  }
  if (pick === 'subtasks') {
    const ids = new Set(team.map((a) => a.id));
    const next = Object.values(context.subtasks).find(
      (t) => (t.status === 'open' || t.status === 'claimed') && t.assignee !== undefined && ids.has(t.assignee),
    );
    if (next?.assignee) return { agent: next.assignee, turn: turn + 1 };
  }
  const at = team.findIndex((a) => a.id === state.last);
  return { agent: team[(at + 1) % team.length]?.id, turn: turn + 1 };
}

/** The `swarm.next` action: the coordinator's pick step. */
export function coordinatorAction(swarms: SwarmsApi, runOf: RunOf) {
  return defineAction({
    name: 'swarm.next',
    description: "The coordinator's choice of the next agent of a swarm, or why it stops.",
    input: z.strictObject({ turn: z.number().int().nonnegative(), last: z.string().optional() }),
    cost: 0,
    async run(input, ctx) {
      const { run, swarm: swarmId } = await swarmOfRun(runOf, ctx.runId);
      const swarm = await swarms.get(swarmId, { workspace: run.meta.workspace ?? 'default' });
      const choice = chooseNext(swarm.context, {
        turn: input.turn,
        ...(input.last ? { last: input.last } : {}),
        stopped: swarm.status === 'stopped',
        spent: run.usage.credits,
      });
      return { ...choice, agent: choice.agent ?? null, stop: choice.stop ?? null };
    },
  });
}

const SYSTEM = (context: SwarmContext, agent: SwarmAgent) =>
  [
    `You are ${agent.id}, the ${agent.role} of a team working toward this goal: ${context.goal}`,
    agent.instructions ?? '',
    'Read the swarm with swarm_look, record your work on the blackboard with swarm_write, and share work as ' +
      `subtasks with swarm_subtask. When the goal is reached, call swarm_finish. End your turn with a short note of what you did.`,
  ]
    .filter((line) => line !== '')
    .join('\n');

/** The coordinator flow of a swarm: a loop of picks and agent turns (see the top of this file). */
export function coordinatorFlow(swarmId: string, context: SwarmContext): Record<string, unknown> {
  if (context.team.length === 0) {
    throw new RequestError('INPUT_INVALID', `swarm '${swarmId}' has no team: there is no agent to coordinate`);
  }
  // Agent ids become node ids and quoted literals of the route's conditions.
  const odd = context.team.find((agent) => !/^[A-Za-z0-9_-]+$/.test(agent.id));
  if (odd) {
    throw new RequestError(
      'INPUT_INVALID',
      `swarm '${swarmId}': team: agent id '${odd.id}' may hold only letters, digits, - and _`,
      {
        details: { path: 'team' },
      },
    );
  }
  const strategy = context.policies.strategy ?? {};
  const turns = context.team.map((agent) => ({
    id: `${TURN_PREFIX}${agent.id}`,
    type: 'ai',
    name: `${agent.id}'s turn`,
    strategy: 'reasoning',
    ...(agent.model ? { model: agent.model } : {}),
    system: SYSTEM(context, agent),
    prompt: `Turn {{vars.next.turn}}: take your turn.`,
    tools: agent.tools ?? [...AGENT_TOOLS],
    maxToolRounds: 8,
    // Bounds each answer, and so the credits reserved for it against the swarm's budget.
    maxOutputTokens: 400,
    ...strategy,
    output: `note_${agent.id.replace(/[^A-Za-z0-9_]/g, '_')}`,
  }));
  return {
    format: 'runloom/v1',
    id: coordinatorFlowId(swarmId),
    name: `Coordinator of ${swarmId}`,
    description: 'Picks the next agent of the swarm and runs its turn, until the goal, the budget or the turn limit stops it.',
    output: '=vars.next',
    nodes: [
      { id: 'start', type: 'start' },
      {
        id: 'pick',
        type: 'task',
        name: 'Pick the next agent',
        action: 'swarm.next',
        input: { turn: '=vars.next ? vars.next.turn : 0', last: "=vars.next ? vars.next.agent : ''" },
        output: 'next',
      },
      { id: 'route', type: 'decision', mode: 'auto', name: 'Whose turn?' },
      ...turns,
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'pick' },
      { from: 'pick', to: 'route' },
      ...context.team.map((agent) => ({
        from: 'route',
        to: `${TURN_PREFIX}${agent.id}`,
        when: `vars.next.agent = '${agent.id}'`,
      })),
      { from: 'route', to: 'done', default: true },
      ...context.team.map((agent) => ({ from: `${TURN_PREFIX}${agent.id}`, to: 'pick' })),
    ],
  };
}
