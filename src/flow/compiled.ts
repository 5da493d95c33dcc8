/**
 * A flow version compiled once into an immutable, index-based structure. The engine's hot path
 * reads only this: nodes and edges by index, expressions pre-compiled, schemas pre-compiled,
 * join reachability pre-computed. Nothing here is re-parsed while a run advances.
 */
import type { CompiledExpr, CompiledTemplate, CompiledValue } from '../expr/types.js';

export const NODE_TYPES = [
  'start',
  'end',
  'task',
  'ai',
  'decision',
  'parallel',
  'inclusive',
  'race',
  'map',
  'wait',
  'timer',
  'subflow',
  'ux',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export type LimitName = 'maxSteps' | 'maxTime' | 'maxCredits';
export type LimitAction = 'fail' | 'pause';
export type BranchFailurePolicy = 'stop' | 'continue' | 'pause';

export interface Limits {
  readonly maxSteps: number;
  /** Active time in ms (waiting and paused time do not count). */
  readonly maxTime: number;
  readonly maxCredits: number;
  /** Steps of one run executing at once. */
  readonly maxParallel: number;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoff: 'fixed' | 'exponential';
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
}

/** Credits an ai step is expected to cost: the node as written and the step's input (AiStepInput). */
export type AiEstimator = (node: Readonly<Record<string, unknown>>, input: unknown) => number;

/** Validates a payload against a JSON Schema; returns readable problems, or null when valid. */
export type SchemaCheck = (value: unknown) => string[] | null;

export interface CompiledEdge {
  readonly index: number;
  readonly from: number;
  readonly to: number;
  readonly when?: CompiledExpr;
  readonly isDefault: boolean;
  /** Followed when the source wait/node times out. */
  readonly isTimeout: boolean;
  readonly kind: 'flow' | 'journey' | 'system';
}

export interface CompiledBoundary {
  /** Position in the node's `boundary` list. */
  readonly index: number;
  readonly on: 'error' | 'timer' | 'signal';
  /** error: the error code caught; absent catches every error. */
  readonly code?: string;
  /** timer: ms after the node starts. */
  readonly after?: number;
  /** signal: the signal name. */
  readonly signal?: string;
  readonly to: number;
  readonly interrupting: boolean;
}

interface NodeBase {
  readonly index: number;
  readonly id: string;
  readonly name?: string;
  /** Edge indices leaving this node, in file order. */
  readonly outgoing: readonly number[];
  /** Edge indices entering this node, in file order. */
  readonly incoming: readonly number[];
  /** Where the node's result goes in `vars` (dotted path), if anywhere. */
  readonly output?: string;
  /** task, subflow: the result (an object) is merged into `vars` key by key. */
  readonly mergeOutput?: boolean;
  readonly retry: RetryPolicy;
  /** ms; a step running longer fails with TIMEOUT. */
  readonly timeout?: number;
  readonly boundaries: readonly CompiledBoundary[];
  /** Weight for progress percent (default 1). */
  readonly weight: number;
  /** The node as written in the flow file (for executors and display). */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface StartNode extends NodeBase {
  readonly type: 'start';
}
export interface EndNode extends NodeBase {
  readonly type: 'end';
  readonly terminate: boolean;
}

/**
 * A node whose work is done by an executor in the shell (task, ai, ux). The engine evaluates
 * `input` and emits a `step.execute` effect; the runtime dispatches on `type`.
 */
export interface ActivityNode extends NodeBase {
  readonly type: 'task' | 'ai' | 'ux';
  /** task: the registered action. */
  readonly action?: string;
  /** task: remote step URL (F3.2). */
  readonly webhook?: string;
  readonly input: CompiledValue;
  /** ai: the prompt with `{{ }}` holes. */
  readonly prompt?: CompiledTemplate;
  /** Credits this step is expected to cost for this input (checked against maxCredits before it starts). */
  readonly estimateCost: (input: unknown) => number;
  /** task: what the log keeps of an input, when its action takes secrets out (ActionDefinition.redact). */
  readonly loggedInput?: (input: unknown) => unknown;
}

export interface DecisionNode extends NodeBase {
  readonly type: 'decision';
  readonly mode: 'auto' | 'manual' | 'ai';
  /** manual: the question shown; ai: the question put to the model. `{{ }}` holes. */
  readonly prompt?: CompiledTemplate;
}

/** A node whose work the shell executes as a step: an activity, or a decision a model makes. */
export type StepNode = ActivityNode | DecisionNode;
export interface ParallelNode extends NodeBase {
  readonly type: 'parallel';
  /**
   * Nodes where a token still counts as on its way to this join's current activation (index → 1):
   * upstream of the join, inside the region of its immediate dominator (see flow/graph.ts).
   */
  readonly upstream: Uint8Array;
}
export interface InclusiveNode extends NodeBase {
  readonly type: 'inclusive';
  readonly upstream: Uint8Array;
}
export interface RaceNode extends NodeBase {
  readonly type: 'race';
}

/** What a map runs once per item: an activity (task/ai) or a subflow. */
export type MapBody = ActivityNode | SubflowNode;

export interface MapNode extends NodeBase {
  readonly type: 'map';
  readonly items: CompiledExpr;
  readonly concurrency: number;
  readonly body: MapBody;
}

export interface WaitNode extends NodeBase {
  readonly type: 'wait';
  /** Signal name that resolves the wait; absent = resolved by callback/input addressed to the node. */
  readonly signal?: string;
  readonly check?: SchemaCheck;
  /** ms */
  readonly waitTimeout?: number;
}

export interface TimerNode extends NodeBase {
  readonly type: 'timer';
  readonly duration?: number;
  readonly until?: CompiledExpr;
  readonly cron?: string;
}

export interface SubflowNode extends NodeBase {
  readonly type: 'subflow';
  readonly flow: string;
  /** Pinned version; absent = latest published when the run starts. */
  readonly version?: number;
  readonly input: CompiledValue;
  readonly strategy?: string;
}

export type CompiledNode =
  | StartNode
  | EndNode
  | ActivityNode
  | DecisionNode
  | ParallelNode
  | InclusiveNode
  | RaceNode
  | MapNode
  | WaitNode
  | TimerNode
  | SubflowNode;

export interface CompiledFlow {
  readonly id: string;
  readonly version: number;
  readonly name?: string;
  readonly nodes: readonly CompiledNode[];
  readonly edges: readonly CompiledEdge[];
  readonly nodeIndex: ReadonlyMap<string, number>;
  readonly start: number;
  readonly limits: Limits;
  readonly onLimit: Readonly<Record<LimitName, LimitAction>>;
  readonly onBranchFailure: BranchFailurePolicy;
  readonly strategy?: string;
  readonly allowStrategyOverride: boolean;
  readonly checkInput?: SchemaCheck;
  readonly checkOutput?: SchemaCheck;
  /** Builds the run's output from the final scope; absent = `vars`. */
  readonly output?: CompiledValue;
  /** The definition as loaded (JSON-safe), for storage and display. */
  readonly definition: Readonly<Record<string, unknown>>;
}
