/**
 * The swarm context (F5.1): ONE object per swarm, versioned as a whole. Glossary:
 * - goal: what the swarm works toward; team: its agents (id, role, model, instructions, tools).
 * - blackboard: keyed entries, each with its author, the time it was last written and an
 *   optional expiry; an expired entry is gone from every read (`contextView`).
 * - subtasks: keyed units of work with a status, an assignee and a result.
 * - policies: limits, tool approval and strategy defaults every run of the swarm obeys.
 * - resources: the credit budget the ledger (ledger.ts) hands out to runs and steps.
 */

export interface SwarmAgent {
  readonly id: string;
  readonly role: string;
  readonly model?: string;
  readonly instructions?: string;
  /** Swarm tools this agent may call (all of them when absent). */
  readonly tools?: readonly string[];
}

export interface BlackboardEntry {
  readonly value: unknown;
  readonly author: string;
  /** When the entry was last written (ms). */
  readonly at: number;
  /** Gone from reads at or after this time (ms). */
  readonly expiresAt?: number;
}

export const SUBTASK_STATUSES = ['open', 'claimed', 'done', 'failed'] as const;
export type SubtaskStatus = (typeof SUBTASK_STATUSES)[number];

export interface Subtask {
  readonly title: string;
  readonly status: SubtaskStatus;
  readonly assignee?: string;
  readonly result?: unknown;
}

export type OnBudget = 'pause' | 'fail';

export interface SwarmPolicies {
  /** Credits a single run of the swarm may hold at once (its allocation). */
  readonly maxCreditsPerRun?: number;
  /** What a run does when the swarm's budget cannot cover its next step. */
  readonly onBudget?: OnBudget;
  /** Tools that wait for a person before they run (`*` for all). */
  readonly approveTools?: readonly string[];
  /** Turn limit of the coordinator. */
  readonly maxTurns?: number;
  /** Defaults for the agents' reasoning strategy (model, maxToolCalls, …). */
  readonly strategy?: Readonly<Record<string, unknown>>;
}

export interface SwarmResources {
  /** The swarm's credit budget: the root of the ledger. */
  readonly budget: number;
}

export interface SwarmContext {
  readonly goal: string;
  readonly team: readonly SwarmAgent[];
  readonly blackboard: Readonly<Record<string, BlackboardEntry>>;
  readonly subtasks: Readonly<Record<string, Subtask>>;
  readonly policies: SwarmPolicies;
  readonly resources: SwarmResources;
}

/** The sections of a context: the first segment of every patch path. */
export const SECTIONS = ['goal', 'team', 'blackboard', 'subtasks', 'policies', 'resources'] as const;
export type Section = (typeof SECTIONS)[number];

/** A context from its parts; absent sections start empty. */
export function createContext(parts: Partial<SwarmContext> & { readonly goal: string }): SwarmContext {
  return {
    goal: parts.goal,
    team: parts.team ?? [],
    blackboard: parts.blackboard ?? {},
    subtasks: parts.subtasks ?? {},
    policies: parts.policies ?? {},
    resources: parts.resources ?? { budget: 0 },
  };
}

export const isExpired = (entry: BlackboardEntry, now: number): boolean =>
  entry.expiresAt !== undefined && entry.expiresAt <= now;

/**
 * What runs and readers see (`swarm.*` in expressions): the blackboard as plain values by key,
 * expired entries left out. `swarm.blackboard.leads` is the value of the `leads` entry.
 */
export function contextView(context: SwarmContext, now: number, version: number): Record<string, unknown> {
  const blackboard: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(context.blackboard)) {
    if (!isExpired(entry, now)) blackboard[key] = entry.value;
  }
  return { ...context, blackboard, version };
}

/** The blackboard's live entries (author, time, expiry included) at `now`. */
export function liveEntries(context: SwarmContext, now: number): Record<string, BlackboardEntry> {
  return Object.fromEntries(Object.entries(context.blackboard).filter(([, entry]) => !isExpired(entry, now)));
}
