/**
 * `runloom.prompts` (F4.5): prompt templates published as immutable versions, variables stored
 * by scope, prompt runs started, resumed by id from any process, sent messages to (streamed),
 * batches, and the runs in memory freed when idle and reloaded on use.
 */
import { randomUUID } from 'node:crypto';
import type { Models } from '../ai/models.js';
import { notFound, RequestError } from '../errors.js';
import { DEFAULT_WORKSPACE } from '../flow/flow-key.js';
import { createMemoryPrompts } from '../store/memory/memory-prompts.js';
import type {
  PromptRecords,
  PromptRunRecord,
  PromptSummary,
  PromptTaskRecord,
  PromptVersionRecord,
  ScopedVariableRow,
  VariableScope,
} from '../store/prompt-records.js';
import { type BatchItem, type BatchReport, runBatch } from './batch.js';
import { LoadedRun, type PromptReply, type SendOptions } from './prompt-run.js';
import { compilePrompt, type PromptDefinition, parsePromptText, validatePrompt } from './template.js';
import { checkGiven } from './variables.js';

export type { BatchItem, BatchReport, PromptReply, SendOptions };

export interface Placement {
  readonly workspace?: string;
}

export interface StartOptions extends Placement {
  /** Owners of the user and project variable scopes this run reads. */
  readonly user?: string;
  readonly project?: string;
  readonly values?: Record<string, unknown>;
  /** false: a utility run — the same execution, nothing stored. */
  readonly track?: boolean;
}

/** A prompt: a published id (latest or a version), or a definition (text or object) to run as is. */
export type PromptRef = string | { readonly id: string; readonly version?: number } | { readonly source: string | object };

/** A handle on a prompt run; stays valid when the run is freed from memory (it reloads). */
export interface PromptRun {
  readonly id: string;
  readonly tracked: boolean;
  /** The run with its totals (the sum of its tasks). */
  info(): Promise<PromptRunRecord>;
  /** Every message sent, with its answer, variables and usage. */
  history(): Promise<PromptTaskRecord[]>;
  /** Gives values from the next message on (merged into those given before). */
  setValues(values: Record<string, unknown>): Promise<void>;
  /** Sends a message (the template's message when `text` is absent) and streams the answer. */
  send(text?: string, options?: SendOptions): Promise<PromptReply>;
}

export interface VariablePlace extends Placement {
  /** The user or project id; not for the workspace scope. */
  readonly owner?: string;
}

export interface PromptsOptions {
  /** A run unused this long is freed from memory (reloaded from the store on use). Default 10 min. */
  readonly idleMs?: number;
  readonly now?: () => number;
}

export interface PromptsApi {
  publish(source: string | object, options?: Placement & { sourceName?: string }): Promise<PromptVersionRecord>;
  get(promptId: string, version?: number, options?: Placement): Promise<PromptVersionRecord>;
  list(options?: Placement): Promise<PromptSummary[]>;
  setVariable(scope: VariableScope, name: string, value: unknown, place?: VariablePlace): Promise<ScopedVariableRow>;
  deleteVariable(scope: VariableScope, name: string, place?: VariablePlace): Promise<void>;
  listVariables(scope: VariableScope, place?: VariablePlace): Promise<ScopedVariableRow[]>;
  start(prompt: PromptRef, options?: StartOptions): Promise<PromptRun>;
  /** A stored run by id, with its history (any process). */
  resume(runId: string, options?: Placement): Promise<PromptRun>;
  listRuns(options?: Placement & { limit?: number }): Promise<PromptRunRecord[]>;
  /** Prompts in sequence, each output given to the next; stops at the first failure. */
  batch(items: readonly BatchItem[], options?: Omit<StartOptions, 'values'>): Promise<BatchReport>;
  /** Ids of the runs held in memory now. */
  loaded(): string[];
  close(): void;
}

const DEFAULT_IDLE_MS = 10 * 60_000;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function createPromptsApi(records: PromptRecords, models: Models, options: PromptsOptions = {}): PromptsApi {
  const now = options.now ?? Date.now;
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const deps = { models, scopes: records, now };
  const memory = new Map<string, LoadedRun>();
  const sweep = setInterval(
    () => {
      const cutoff = now() - idleMs;
      for (const [id, run] of memory) if (!run.busy && run.lastUsed <= cutoff) memory.delete(id);
    },
    Math.max(10, Math.min(idleMs, 60_000) / 2),
  );
  sweep.unref();

  const workspaceOf = (place?: Placement) => place?.workspace ?? DEFAULT_WORKSPACE;

  const version = async (workspace: string, promptId: string, v?: number): Promise<PromptVersionRecord> => {
    const found = await records.get(workspace, promptId, v);
    if (!found) throw notFound('prompt', v === undefined ? promptId : `${promptId}@${v}`);
    return found;
  };

  const load = async (runId: string, workspace?: string): Promise<LoadedRun> => {
    const held = memory.get(runId);
    if (held && (workspace === undefined || held.row.workspace === workspace)) {
      held.lastUsed = now();
      return held;
    }
    const row = await records.getRun(runId);
    if (!row || (workspace !== undefined && row.workspace !== workspace)) throw notFound('prompt run', runId);
    const { definition } = await version(row.workspace, row.promptId, row.promptVersion);
    const run = new LoadedRun(row, compilePrompt(validatePrompt(definition)), await records.listTasks(runId), records, deps);
    memory.set(runId, run);
    return run;
  };

  const handle = (id: string, workspace: string, untracked?: LoadedRun): PromptRun => {
    const get = async () => {
      if (untracked) {
        untracked.lastUsed = now();
        return untracked;
      }
      return load(id, workspace);
    };
    return {
      id,
      tracked: untracked === undefined,
      info: async () => (await (await get()).records.getRun(id)) as PromptRunRecord,
      history: async () => (await get()).records.listTasks(id),
      setValues: async (values) => (await get()).setValues(values),
      send: async (text, sendOptions) => (await get()).send(text, sendOptions),
    };
  };

  const definitionOf = async (prompt: PromptRef, workspace: string, track: boolean) => {
    if (typeof prompt === 'object' && 'source' in prompt) {
      const definition = typeof prompt.source === 'string' ? parsePromptText(prompt.source) : validatePrompt(prompt.source);
      // A tracked run names a stored version, so it can be resumed: the file is published.
      if (!track) return { definition, version: 0 };
      const published = await api.publish(definition, { workspace });
      return { definition, version: published.version };
    }
    const ref = typeof prompt === 'string' ? { id: prompt } : prompt;
    const found = await version(workspace, ref.id, ref.version);
    return { definition: validatePrompt(found.definition), version: found.version };
  };

  const api: PromptsApi = {
    async publish(source, place) {
      const definition: PromptDefinition =
        typeof source === 'string' ? parsePromptText(source, place?.sourceName) : validatePrompt(source, place?.sourceName);
      return records.publish(workspaceOf(place), definition.id, definition, now());
    },
    get: (promptId, v, place) => version(workspaceOf(place), promptId, v),
    list: (place) => records.list(workspaceOf(place)),

    async setVariable(scope, name, value, place) {
      const row = {
        workspace: workspaceOf(place),
        scope,
        owner: ownerOf(scope, place),
        name: variableName(name),
        value,
        updatedAt: now(),
      };
      if (value === undefined) throw new RequestError('VARIABLE_INVALID', `variable '${name}': a value is required`);
      await records.setVariable(row);
      return row;
    },
    async deleteVariable(scope, name, place) {
      if (!(await records.deleteVariable(workspaceOf(place), scope, ownerOf(scope, place), name))) {
        throw notFound(`${scope} variable`, name);
      }
    },
    listVariables: (scope, place) => records.listVariables(workspaceOf(place), scope, ownerOf(scope, place)),

    async start(prompt, start = {}) {
      const workspace = workspaceOf(start);
      const track = start.track ?? true;
      const { definition, version: v } = await definitionOf(prompt, workspace, track);
      const values = start.values ?? {};
      checkGiven(definition, values);
      const at = now();
      const row = {
        id: `pr_${randomUUID()}`,
        workspace,
        promptId: definition.id,
        promptVersion: v,
        ...(start.user === undefined ? {} : { user: start.user }),
        ...(start.project === undefined ? {} : { project: start.project }),
        values,
        createdAt: at,
        updatedAt: at,
      };
      const target = track ? records : createMemoryPrompts();
      await target.createRun(row);
      const run = new LoadedRun(row, compilePrompt(definition), [], target, deps);
      if (!track) return handle(row.id, workspace, run);
      memory.set(row.id, run);
      return handle(row.id, workspace);
    },
    async resume(runId, place) {
      const run = await load(runId, place?.workspace);
      return handle(runId, run.row.workspace);
    },
    listRuns: (place) => records.listRuns(workspaceOf(place), Math.min(Math.max(place?.limit ?? 50, 1), 500)),
    batch: (items, batchOptions = {}) => runBatch(api, items, batchOptions),
    loaded: () => [...memory.keys()],
    close: () => clearInterval(sweep),
  };
  return api;
}

function ownerOf(scope: VariableScope, place: VariablePlace | undefined): string {
  if (scope === 'workspace') return '';
  if (!place?.owner)
    throw new RequestError('VARIABLE_OWNER_MISSING', `a ${scope} variable needs the ${scope} it belongs to (owner)`);
  return place.owner;
}

function variableName(name: string): string {
  if (!VARIABLE_NAME.test(name)) {
    throw new RequestError('VARIABLE_INVALID', `variable name '${name}': use letters, digits and _, not starting with a digit`);
  }
  return name;
}
