/**
 * Building blocks of the `runloom/v1` schema shared by nodes, edges and defaults: ids,
 * durations, retry policies, boundary events, variable paths. Custom issues carry their
 * problem code in `params.code` so validation can report INVALID_DURATION, INVALID_CRON…
 * instead of a generic SCHEMA problem.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { durationProblem } from './duration.js';

/** Node ids: used in expressions (`steps.lookup.output`), so no dots or spaces. */
export const NODE_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Flow ids are slugs, unique per workspace. */
export const FLOW_ID = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;
/** A subflow reference: `billing-setup` (latest) or `billing-setup@2` (pinned). */
export const FLOW_REF = /^([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)(?:@([1-9][0-9]*))?$/;
/** Where a node's result goes in `vars`: a dotted path of identifiers. */
export const VAR_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

export const STRATEGIES = ['auto', 'deterministic', 'reasoning', 'conversational'] as const;

export const nodeId = z.string().regex(NODE_ID, 'an id starts with a letter or _ and has only letters, digits, _ and -');
export const flowId = z.string().regex(FLOW_ID, 'a flow id is a slug: lowercase letters, digits, ., _ and -').max(100);
export const varPath = z.string().regex(VAR_PATH, 'an output is a dotted path of identifiers, like `customer` or `order.total`');
export const strategy = z.enum(STRATEGIES);

/** `500ms`, `30s`, `10m`, `1h`, `2d`, or a number of ms. Kept as written; compile turns it into ms. */
export const duration = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const problem = durationProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'INVALID_DURATION' } });
});

/** A 5- or 6-field cron expression (or an alias such as `@daily`), checked with cron-parser. */
export const cron = z.string().superRefine((value, ctx) => {
  try {
    CronExpressionParser.parse(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a cron expression: ${reason}`, params: { code: 'INVALID_CRON' } });
  }
});

/** A JSON Schema object; ajv checks that it compiles (INVALID_SCHEMA). */
export const jsonSchema = z.record(z.string(), z.unknown());

export const retry = z.strictObject({
  maxAttempts: z.int().min(1).max(1000).optional(),
  backoff: z.enum(['fixed', 'exponential']).optional(),
  initialDelay: duration.optional(),
  maxDelay: duration.optional(),
  factor: z.number().min(1).optional(),
});

const boundaryTo = { to: nodeId };
export const errorBoundary = z.strictObject({
  on: z.literal('error'),
  code: z.string().min(1).optional(),
  ...boundaryTo,
  interrupting: z.literal(true, { error: 'error boundaries are always interrupting' }).optional(),
});
export const timerBoundary = z.strictObject({
  on: z.literal('timer'),
  after: duration,
  ...boundaryTo,
  interrupting: z.boolean().optional(),
});
export const signalBoundary = z.strictObject({
  on: z.literal('signal'),
  signal: z.string().min(1),
  ...boundaryTo,
  interrupting: z.boolean().optional(),
});
export const boundary = z.discriminatedUnion('on', [errorBoundary, timerBoundary, signalBoundary]);

/** Swarm write-back (F5.5): applied with the step's checkpoint. */
export const blackboardOp = z.strictObject({
  op: z.enum(['set', 'delete', 'append', 'increment', 'merge', 'deepMerge']),
  path: z.string().min(1),
  value: z.unknown().optional(),
});

/** Fields every node may carry. */
export const commonFields = {
  id: nodeId,
  name: z.string().optional(),
  description: z.string().optional(),
  /** Weight for progress percent (default 1). */
  weight: z.number().min(0).optional(),
};

/** Fields of nodes that do work (task, ai, subflow): mapping in, result out, retries, time limit. */
export const workFields = {
  input: z.unknown().optional(),
  retry: retry.optional(),
  timeout: duration.optional(),
  /** Credits per call; overrides the action's cost. */
  cost: z.number().min(0).optional(),
};

/** Fields of a node standing in the graph (not of a map body). */
export const placedFields = {
  output: varPath.optional(),
  boundary: z.array(boundary).optional(),
  blackboard: z.array(blackboardOp).optional(),
};
