/**
 * Node schemas of `runloom/v1` (SPEC F1.1), one per node type. Nodes are strict: an unknown
 * key is a problem (UNKNOWN_FIELD), so a typo never passes silently. AI and UX nodes are
 * loose: their executors own extra fields (conversation settings, journey UI hints).
 */
import { z } from 'zod';
import type { NodeType } from './compiled.js';
import {
  commonFields,
  cron,
  duration,
  FLOW_REF,
  jsonSchema,
  placedFields,
  strategy,
  varPath,
  workFields,
} from './schema-common.js';

const actionName = z.string().min(1, 'an action name is required');

const taskFields = {
  type: z.literal('task'),
  /** A registered action (F3.1)… */
  action: actionName.optional(),
  /** …or a remote step: an http(s) URL, or an `=expression` giving one (F3.2). */
  webhook: z.string().min(1).optional(),
  ...workFields,
};

const aiFields = {
  type: z.literal('ai'),
  strategy: strategy.optional(),
  model: z.string().min(1).optional(),
  /** Prompt text with `{{ expression }}` holes. */
  prompt: z.string().optional(),
  system: z.string().optional(),
  /** Names of registered actions the model may call. */
  tools: z.array(actionName).optional(),
  outputSchema: jsonSchema.optional(),
  /** deterministic: the registered action the step calls. */
  action: actionName.optional(),
  /** reasoning: most model answers that ask for tools (default 8). */
  maxToolRounds: z.int().min(0).optional(),
  /** reasoning: how many times an answer that fails outputSchema is sent back (default 2). */
  maxOutputRetries: z.int().min(0).max(10).optional(),
  /** Bound on each model answer's tokens (and on the credits reserved for it). */
  maxOutputTokens: z.int().min(1).optional(),
  /** conversational: most replies of the model to the person (default 20); the conversation then ends. */
  maxTurns: z.int().min(1).max(1000).optional(),
  /** conversational: who speaks first (default the model). */
  conversation: z.strictObject({ firstTurn: z.enum(['model', 'person']).optional() }).optional(),
  ...workFields,
};

const subflowFields = {
  type: z.literal('subflow'),
  flow: z.string().regex(FLOW_REF, 'a subflow is `flow-id` or `flow-id@version`, like `billing-setup@2`'),
  /** Overrides the child's default strategy (F4.3). */
  strategy: strategy.optional(),
  ...workFields,
};

export const startNode = z.strictObject({ ...commonFields, type: z.literal('start') });
export const endNode = z.strictObject({
  ...commonFields,
  type: z.literal('end'),
  /** Ends every branch of the run, not only this token's. */
  terminate: z.boolean().optional(),
});
/** The step's result, an object, is merged into `vars` key by key (a BPMN script or sub-process sets process variables). */
const mergeOutput = z.boolean().optional();
export const taskNode = z.strictObject({ ...commonFields, ...taskFields, ...placedFields, mergeOutput });
export const aiNode = z.looseObject({ ...commonFields, ...aiFields, ...placedFields });
export const decisionNode = z.strictObject({
  ...commonFields,
  type: z.literal('decision'),
  mode: z.enum(['auto', 'manual', 'ai']).optional(),
  /** Question shown to the person deciding (manual) or to the model (ai), with `{{ }}` holes. */
  prompt: z.string().optional(),
  /** ai: the model that decides (default: the default model), and its bounds, as on an ai node. */
  model: aiFields.model,
  maxOutputRetries: aiFields.maxOutputRetries,
  maxOutputTokens: aiFields.maxOutputTokens,
});
export const parallelNode = z.strictObject({ ...commonFields, type: z.literal('parallel') });
export const inclusiveNode = z.strictObject({ ...commonFields, type: z.literal('inclusive') });
export const raceNode = z.strictObject({ ...commonFields, type: z.literal('race') });

/** What a map runs per item: an inline task, ai or subflow node, without id, output or boundaries. */
export const mapBody = z.discriminatedUnion('type', [
  z.strictObject({ name: commonFields.name, description: commonFields.description, ...taskFields }),
  z.looseObject({ name: commonFields.name, description: commonFields.description, ...aiFields }),
  z.strictObject({ name: commonFields.name, description: commonFields.description, ...subflowFields }),
]);
export const MAP_BODY_TYPES = ['task', 'ai', 'subflow'] as const;

export const mapNode = z.strictObject({
  ...commonFields,
  type: z.literal('map'),
  /** An `=expression` giving the list, or a literal list. */
  items: z.union([z.string(), z.array(z.unknown())]),
  /** Items running at once (default: the flow's maxParallel). */
  concurrency: z.int().min(1).optional(),
  do: mapBody,
  timeout: duration.optional(),
  ...placedFields,
});

export const waitNode = z.strictObject({
  ...commonFields,
  type: z.literal('wait'),
  /** Signal name; absent = resolved by a callback or human input addressed to this node. */
  signal: z.string().min(1).optional(),
  /** JSON Schema of the payload that resolves the wait. */
  schema: jsonSchema.optional(),
  /** On timeout the `timeout: true` edge is followed; without one the node fails. */
  timeout: duration.optional(),
  ...placedFields,
});

export const timerNode = z.strictObject({
  ...commonFields,
  type: z.literal('timer'),
  duration: duration.optional(),
  /** A date: an `=expression` or an ISO date-time string. */
  until: z.string().min(1).optional(),
  cron: cron.optional(),
});

export const subflowNode = z.strictObject({ ...commonFields, ...subflowFields, ...placedFields, mergeOutput });

/** Journey UX step (F6); the journey module owns its extra fields. */
export const uxNode = z.looseObject({
  ...commonFields,
  type: z.literal('ux'),
  input: z.unknown().optional(),
  output: varPath.optional(),
});

export const NODE_SCHEMAS = {
  start: startNode,
  end: endNode,
  task: taskNode,
  ai: aiNode,
  decision: decisionNode,
  parallel: parallelNode,
  inclusive: inclusiveNode,
  race: raceNode,
  map: mapNode,
  wait: waitNode,
  timer: timerNode,
  subflow: subflowNode,
  ux: uxNode,
} as const satisfies Record<NodeType, z.ZodObject>;

export const NODE_TYPES_LIST = Object.keys(NODE_SCHEMAS).join(', ');

/** Node types that take boundary events (SPEC F1.1). */
export const BOUNDARY_NODE_TYPES: ReadonlySet<string> = new Set(['task', 'ai', 'wait', 'map', 'subflow']);

export const node = z.discriminatedUnion('type', [
  startNode,
  endNode,
  taskNode,
  aiNode,
  decisionNode,
  parallelNode,
  inclusiveNode,
  raceNode,
  mapNode,
  waitNode,
  timerNode,
  subflowNode,
  uxNode,
]);

/** The keys a node of `type` may carry (for UNKNOWN_FIELD suggestions). */
export function nodeKeys(type: string): readonly string[] {
  const schema = (NODE_SCHEMAS as Record<string, z.ZodObject>)[type];
  return schema ? Object.keys(schema.shape) : [];
}

export function mapBodyKeys(type: string): readonly string[] {
  const option = mapBody.options.find((o) => o.shape.type.value === type);
  return option ? Object.keys(option.shape) : [];
}
