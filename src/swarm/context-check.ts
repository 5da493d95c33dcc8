/**
 * The shape every version of a context keeps: checked after each patch, so no patch can leave a
 * swarm without a goal, with a negative budget or a subtask in an unknown status.
 */
import { z } from 'zod';
import { RunloomError } from '../errors.js';
import { SUBTASK_STATUSES, type SwarmContext } from './context.js';

// Credits are whole numbers everywhere (ai/meter.ts): ledger sums stay exact.
const credits = z.number().int().nonnegative();

export const agentSchema = z.object({
  id: z.string().min(1).max(100),
  role: z.string().min(1),
  model: z.string().min(1).optional(),
  instructions: z.string().optional(),
  tools: z.array(z.string()).optional(),
});

export const policiesSchema = z
  .object({
    maxCreditsPerRun: credits.optional(),
    onBudget: z.enum(['pause', 'fail']).optional(),
    approveTools: z.array(z.string()).optional(),
    maxTurns: z.number().int().positive().optional(),
    strategy: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export const contextSchema = z.object({
  goal: z.string().min(1),
  team: z.array(agentSchema),
  blackboard: z.record(
    z.string(),
    z.object({ value: z.unknown(), author: z.string(), at: z.number(), expiresAt: z.number().optional() }),
  ),
  subtasks: z.record(
    z.string(),
    z
      .object({
        title: z.string(),
        status: z.enum(SUBTASK_STATUSES),
        assignee: z.string().optional(),
        result: z.unknown().optional(),
      })
      .loose(),
  ),
  policies: policiesSchema,
  resources: z.object({ budget: credits }).loose(),
});

/** Throws PATCH_INVALID naming the first place where `context` is not a swarm context. */
export function checkContext(context: unknown): asserts context is SwarmContext {
  const result = contextSchema.safeParse(context);
  if (result.success) return;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new RunloomError('PATCH_INVALID', `the swarm context would be invalid at '${path}': ${issue?.message}`, {
    details: { path, problems: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
