/** Flows: validate, publish immutable versions, drafts, and the compiled-version cache runs use. */
import type { ActionRegistry } from '../actions/registry.js';
import { SCRIPT_ACTION } from '../bpmn/script/action.js';
import { expandBpmnSources } from '../bpmn/sources.js';
import { FlowInvalidError, type FlowProblem, notFound } from '../errors.js';
import type { AiEstimator, CompiledFlow } from '../flow/compiled.js';
import { DEFAULT_WORKSPACE, flowKey, splitFlowKey } from '../flow/flow-key.js';
import { compileFlow, parseFlowText, validateFlow } from '../flow/index.js';
import type { FlowSummary, FlowVersionRecord, Store } from '../store/store.js';

export { DEFAULT_WORKSPACE, flowKey, splitFlowKey };

export type FlowSource = string | Record<string, unknown>;

/** One workspace's flows, by their plain ids. */
export interface WorkspaceFlows {
  /** Every problem of a flow file (empty when valid). */
  validate(source: FlowSource, sourceName?: string): FlowProblem[];
  /**
   * Validates and publishes the next immutable version (runloom/v1 YAML/JSON, or BPMN 2.0 XML:
   * imported, with the processes it calls). Throws FlowInvalidError with every problem.
   */
  publish(source: FlowSource, sourceName?: string): Promise<FlowVersionRecord>;
  /** Publishes several flows that may call each other as subflows; all are validated before any is stored. */
  publishAll(sources: readonly { source: FlowSource; sourceName?: string }[]): Promise<FlowVersionRecord[]>;
  /** Saves a draft under its `id` (not validated until published); returns it as stored. */
  saveDraft(source: FlowSource, sourceName?: string): Promise<Record<string, unknown>>;
  /** A flow's draft; NOT_FOUND when it has none. */
  draft(flowId: string): Promise<Record<string, unknown>>;
  get(flowId: string, version?: number): Promise<FlowVersionRecord>;
  list(): Promise<FlowSummary[]>;
}

/** The `default` workspace's flows, the compiled-version cache runs use, and the other workspaces. */
export interface FlowsApi extends WorkspaceFlows {
  /** The compiled version of a flow key (latest when `version` is undefined), compiled once and cached. */
  compiled(key: string, version?: number): Promise<CompiledFlow>;
  /** The flows of a workspace (F9.2): ids are unique per workspace. */
  in(workspace: string): WorkspaceFlows;
}

function toRaw(source: FlowSource, sourceName: string): unknown {
  return typeof source === 'string' ? parseFlowText(source, sourceName) : source;
}

export async function createFlowsApi(store: Store, actions: ActionRegistry, estimateAi?: AiEstimator): Promise<FlowsApi> {
  /** Latest published version by flow key. */
  const latest = new Map<string, number>();
  for (const flow of await store.listFlows()) if (flow.latestVersion !== undefined) latest.set(flow.flowId, flow.latestVersion);
  const cache = new Map<string, Promise<CompiledFlow>>();

  const compiled = (key: string, version?: number): Promise<CompiledFlow> => {
    const resolved = version ?? latest.get(key);
    const cacheKey = `${key}@${resolved}`;
    const hit = resolved === undefined ? undefined : cache.get(cacheKey);
    if (hit) return hit;
    const load = (async () => {
      const record = await store.getFlowVersion(key, resolved);
      if (!record) throw notFound('flow', resolved === undefined ? key : `${key}@${resolved}`);
      // A stored version was checked against the actions where it was published. On a shared
      // store an action this process lacks is run by the workers that have it (offered steps).
      const result = validateFlow(record.definition, store.leases ? {} : { actions });
      if (!result.flow) throw new FlowInvalidError(result.problems, cacheKey);
      const flow = compileFlow(result.flow, record.version, estimateAi ? { actions, estimateAi } : { actions });
      // Runs name their flow by key: outside `default` that is not the definition's own id.
      const keyed = flow.id === key ? flow : { ...flow, id: key };
      if (resolved === undefined) cache.set(`${key}@${record.version}`, Promise.resolve(keyed));
      return keyed;
    })();
    // The promise is cached, not the result: a burst of starts compiles the version once.
    // A failure is not cached (the next call tries again).
    if (resolved !== undefined) {
      cache.set(cacheKey, load);
      load.catch(() => cache.delete(cacheKey));
    }
    return load;
  };

  const inWorkspace = (workspace: string): WorkspaceFlows => {
    const keyOf = (flowId: string) => flowKey(workspace, flowId);
    const catalog = (extra: ReadonlySet<string> = new Set()) => ({
      has: (id: string, version?: number) => {
        const known = latest.get(keyOf(id));
        return extra.has(id) || (known !== undefined && (version === undefined || version <= known));
      },
    });
    const check = (source: FlowSource, sourceName: string, extra?: ReadonlySet<string>) => {
      let raw: unknown;
      try {
        raw = toRaw(source, sourceName);
      } catch (error) {
        if (error instanceof FlowInvalidError) return { flow: undefined, problems: [...error.problems] };
        throw error;
      }
      return validateFlow(raw, { actions, flows: catalog(extra) });
    };
    const plain = <T extends { flowId: string }>(record: T): T => ({ ...record, flowId: splitFlowKey(record.flowId).flowId });

    const flows: WorkspaceFlows = {
      validate(source, sourceName = 'flow') {
        return [...check(source, sourceName).problems];
      },
      async publish(source, sourceName = 'flow') {
        const [record] = await flows.publishAll([{ source, sourceName }]);
        return record;
      },
      async publishAll(given) {
        // Script tasks import when this Runloom runs them (bpmnScripts registers the runner).
        const sources = await expandBpmnSources(given, actions.has(SCRIPT_ACTION) ? { scriptAction: SCRIPT_ACTION } : {});
        const ids = new Set<string>();
        for (const { source, sourceName } of sources) {
          try {
            const raw = toRaw(source, sourceName ?? 'flow') as { id?: unknown };
            if (typeof raw?.id === 'string') ids.add(raw.id);
          } catch {
            // reported by the validation below
          }
        }
        const definitions = sources.map(({ source, sourceName }) => {
          const result = check(source, sourceName ?? 'flow', ids);
          if (result.problems.length > 0 || !result.flow) throw new FlowInvalidError(result.problems, sourceName);
          return result.flow as unknown as Record<string, unknown> & { id: string };
        });
        const records: FlowVersionRecord[] = [];
        for (const definition of definitions) {
          const key = keyOf(definition.id);
          // Publishing what the latest version already is makes no new version: `runloom run`
          // publishes a folder's flows on every call, and versions should mean changes.
          const current = await store.getFlowVersion(key);
          if (current && JSON.stringify(current.definition) === JSON.stringify(definition)) {
            records.push(plain(current));
            continue;
          }
          const record = await store.publishFlow(key, definition);
          latest.set(key, record.version);
          records.push(plain(record));
        }
        // Processes a BPMN source calls were published after the given sources.
        return records.slice(0, given.length);
      },
      async saveDraft(source, sourceName = 'flow') {
        const raw = toRaw(source, sourceName) as { id?: unknown };
        if (typeof raw?.id !== 'string' || raw.id.includes('/'))
          throw new FlowInvalidError([{ path: 'id', code: 'SCHEMA', message: 'a draft needs an `id` (a slug)' }], sourceName);
        await store.saveDraft(keyOf(raw.id), raw as Record<string, unknown>);
        return raw as Record<string, unknown>;
      },
      async draft(flowId) {
        const draft = await store.getDraft(keyOf(flowId));
        if (!draft) throw notFound('draft of flow', flowId);
        return draft;
      },
      async get(flowId, version) {
        const record = await store.getFlowVersion(keyOf(flowId), version);
        if (!record) throw notFound('flow', version === undefined ? flowId : `${flowId}@${version}`);
        return plain(record);
      },
      async list() {
        return (await store.listFlows()).filter((f) => splitFlowKey(f.flowId).workspace === workspace).map(plain);
      },
    };
    return flows;
  };

  return { ...inWorkspace(DEFAULT_WORKSPACE), compiled, in: inWorkspace };
}
