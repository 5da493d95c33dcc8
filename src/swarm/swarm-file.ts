/**
 * A swarm file (`runloom swarms start swarm.yaml`): the goal, the team, policies, the budget
 * and the flows its agents may start. Problems are refused all at once, each with its path.
 *
 * @example
 * name: lead-team
 * goal: Qualify the three leads in the blackboard
 * budget: 500
 * team:
 *   - { id: scout, role: researcher, model: default }
 * policies: { maxCreditsPerRun: 100, onBudget: pause }
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { RequestError } from '../errors.js';
import { createContext, type SwarmContext } from './context.js';
import { agentSchema, policiesSchema } from './context-check.js';

export const swarmFileSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  goal: z.string().min(1),
  budget: z.number().int().nonnegative(),
  team: z.array(agentSchema).default([]),
  policies: policiesSchema.default({}),
  /** Flows the agents may start (ids of published flows). */
  flows: z.array(z.string().min(1)).default([]),
  /** Blackboard entries to start with, by key. */
  blackboard: z.record(z.string(), z.unknown()).default({}),
  /** How many versions to keep for history and rollback (default 100). */
  keepVersions: z.number().int().min(1).max(100_000).default(100),
});

export type SwarmFile = z.output<typeof swarmFileSchema>;
export type SwarmFileInput = z.input<typeof swarmFileSchema>;

/** Reads a swarm file's text (YAML or JSON) or an object; throws INPUT_INVALID naming each problem. */
export function readSwarmFile(source: string | unknown, where = 'swarm file'): SwarmFile {
  let data: unknown = source;
  if (typeof source === 'string') {
    try {
      data = parse(source);
    } catch (error) {
      throw new RequestError('INPUT_INVALID', `${where}: not YAML: ${(error as Error).message}`);
    }
  }
  const result = swarmFileSchema.safeParse(data);
  if (result.success) {
    const ids = result.data.team.map((a) => a.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice)
      throw new RequestError('INPUT_INVALID', `${where}: team: agent id '${twice}' is used twice`, { details: { path: 'team' } });
    return result.data;
  }
  const problems = result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  throw new RequestError('INPUT_INVALID', `${where}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
    details: { problems },
  });
}

/** The first context of a swarm from its file, blackboard entries written by `author` at `at`. */
export function contextOf(file: SwarmFile, author: string, at: number): SwarmContext {
  const blackboard = Object.fromEntries(Object.entries(file.blackboard).map(([key, value]) => [key, { value, author, at }]));
  return createContext({
    goal: file.goal,
    team: file.team,
    blackboard,
    policies: { ...file.policies, ...(file.flows.length > 0 ? { flows: file.flows } : {}) },
    resources: { budget: file.budget },
  });
}
