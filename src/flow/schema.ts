/**
 * The `runloom/v1` flow file format (SPEC F1) as zod schemas — the public contract. Values are
 * kept as written (durations stay `"30s"`, expressions stay `"=…"`); `compileFlow` turns them
 * into ms and compiled expressions. Types below are inferred from these schemas.
 *
 * @example
 * const result = flowSchema.safeParse(YAML.parse(text)); // shape only; use validateFlow for all checks
 */
import { z } from 'zod';
import { blackboardOp, duration, flowId, jsonSchema, nodeId, retry, strategy } from './schema-common.js';
import { type mapBody, node } from './schema-nodes.js';

export const FORMAT = 'runloom/v1';

export const edge = z.strictObject({
  from: nodeId,
  to: nodeId,
  /** JSONata condition, without a leading `=`. */
  when: z.string().min(1).optional(),
  /** Taken when no condition of the source's other edges holds. */
  default: z.boolean().optional(),
  /** Followed when the source wait times out. */
  timeout: z.boolean().optional(),
  kind: z.enum(['flow', 'journey', 'system']).optional(),
  name: z.string().optional(),
});

const limitAction = z.enum(['fail', 'pause']);

export const limits = z.strictObject({
  maxSteps: z.int().min(1).optional(),
  maxTime: duration.optional(),
  maxCredits: z.number().min(0).optional(),
  maxParallel: z.int().min(1).optional(),
});

export const defaults = z.strictObject({
  limits: limits.optional(),
  /** One action for every limit, or one per limit (unnamed limits fail). */
  onLimit: z
    .union([
      limitAction,
      z.strictObject({ maxSteps: limitAction.optional(), maxTime: limitAction.optional(), maxCredits: limitAction.optional() }),
    ])
    .optional(),
  onBranchFailure: z.enum(['stop', 'continue', 'pause']).optional(),
  /** Default strategy of ai steps (F4). */
  strategy: strategy.optional(),
  retry: retry.optional(),
  /** false: callers (subflow calls, run options) may not override ai strategies (F4.3). */
  allowStrategyOverride: z.boolean().optional(),
});

export const flowSchema = z.strictObject({
  format: z.literal(FORMAT),
  id: flowId,
  name: z.string().optional(),
  description: z.string().optional(),
  /** JSON Schema of the run input, checked when a run starts. */
  inputs: jsonSchema.optional(),
  /** JSON Schema of the run output. */
  outputs: jsonSchema.optional(),
  /** How the run's output is built (a value template; absent = `vars`). */
  output: z.unknown().optional(),
  defaults: defaults.optional(),
  blackboard: z.array(blackboardOp).optional(),
  nodes: z.array(node).min(1, 'a flow needs at least a start node'),
  edges: z.array(edge).optional(),
});

export type FlowDefinition = z.infer<typeof flowSchema>;
export type NodeDefinition = z.infer<typeof node>;
export type EdgeDefinition = z.infer<typeof edge>;
export type DefaultsDefinition = z.infer<typeof defaults>;
export type LimitsDefinition = z.infer<typeof limits>;
export type RetryDefinition = z.infer<typeof retry>;
export type BoundaryDefinition = NonNullable<TaskNodeDefinition['boundary']>[number];
export type BlackboardOpDefinition = z.infer<typeof blackboardOp>;
export type MapBodyDefinition = z.infer<typeof mapBody>;

export type NodeDefinitionOf<T extends NodeDefinition['type']> = Extract<NodeDefinition, { type: T }>;
export type StartNodeDefinition = NodeDefinitionOf<'start'>;
export type EndNodeDefinition = NodeDefinitionOf<'end'>;
export type TaskNodeDefinition = NodeDefinitionOf<'task'>;
export type AiNodeDefinition = NodeDefinitionOf<'ai'>;
export type DecisionNodeDefinition = NodeDefinitionOf<'decision'>;
export type MapNodeDefinition = NodeDefinitionOf<'map'>;
export type WaitNodeDefinition = NodeDefinitionOf<'wait'>;
export type TimerNodeDefinition = NodeDefinitionOf<'timer'>;
export type SubflowNodeDefinition = NodeDefinitionOf<'subflow'>;
export type UxNodeDefinition = NodeDefinitionOf<'ux'>;

export { BOUNDARY_NODE_TYPES, MAP_BODY_TYPES, NODE_SCHEMAS } from './schema-nodes.js';
