/** Flows: validate, publish immutable versions, drafts, and the compiled-version cache runs use. */
import type { ActionRegistry } from '../actions/registry.js';
import { expandBpmnSources } from '../bpmn/sources.js';
import { FlowInvalidError, type FlowProblem, notFound } from '../errors.js';
import type { AiEstimator, CompiledFlow } from '../flow/compiled.js';
import { compileFlow, parseFlowText, validateFlow } from '../flow/index.js';
import type { FlowSummary, FlowVersionRecord, Store } from '../store/store.js';

export type FlowSource = string | Record<string, unknown>;

export interface FlowsApi {
  /** Every problem of a flow file (empty when valid). */
  validate(source: FlowSource, sourceName?: string): FlowProblem[];
  /**
   * Validates and publishes the next immutable version (runloom/v1 YAML/JSON, or BPMN 2.0 XML:
   * imported, with the processes it calls). Throws FlowInvalidError with every problem.
   */
  publish(source: FlowSource, sourceName?: string): Promise<FlowVersionRecord>;
  /** Publishes several flows that may call each other as subflows; all are validated before any is stored. */
  publishAll(sources: readonly { source: FlowSource; sourceName?: string }[]): Promise<FlowVersionRecord[]>;
  saveDraft(source: FlowSource, sourceName?: string): Promise<void>;
  get(flowId: string, version?: number): Promise<FlowVersionRecord>;
  list(): Promise<FlowSummary[]>;
  /** The compiled version (latest when `version` is undefined), compiled once and cached. */
  compiled(flowId: string, version?: number): Promise<CompiledFlow>;
}

function toRaw(source: FlowSource, sourceName: string): unknown {
  return typeof source === 'string' ? parseFlowText(source, sourceName) : source;
}

export async function createFlowsApi(store: Store, actions: ActionRegistry, estimateAi?: AiEstimator): Promise<FlowsApi> {
  const latest = new Map<string, number>();
  for (const flow of await store.listFlows()) if (flow.latestVersion !== undefined) latest.set(flow.flowId, flow.latestVersion);
  const cache = new Map<string, Promise<CompiledFlow>>();

  const catalog = (extra: ReadonlySet<string> = new Set()) => ({
    has: (id: string, version?: number) =>
      extra.has(id) || (latest.has(id) && (version === undefined || version <= (latest.get(id) as number))),
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

  const api: FlowsApi = {
    validate(source, sourceName = 'flow') {
      return [...check(source, sourceName).problems];
    },
    async publish(source, sourceName = 'flow') {
      const [record] = await api.publishAll([{ source, sourceName }]);
      return record;
    },
    async publishAll(given) {
      const sources = await expandBpmnSources(given);
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
        // Publishing what the latest version already is makes no new version: `runloom run`
        // publishes a folder's flows on every call, and versions should mean changes.
        const current = await store.getFlowVersion(definition.id);
        if (current && JSON.stringify(current.definition) === JSON.stringify(definition)) {
          records.push(current);
          continue;
        }
        const record = await store.publishFlow(definition.id, definition);
        latest.set(record.flowId, record.version);
        records.push(record);
      }
      // Processes a BPMN source calls were published after the given sources.
      return records.slice(0, given.length);
    },
    async saveDraft(source, sourceName = 'flow') {
      const raw = toRaw(source, sourceName) as { id?: unknown };
      if (typeof raw?.id !== 'string')
        throw new FlowInvalidError([{ path: 'id', code: 'SCHEMA', message: 'a draft needs an `id`' }], sourceName);
      await store.saveDraft(raw.id, raw as Record<string, unknown>);
    },
    async get(flowId, version) {
      const record = await store.getFlowVersion(flowId, version);
      if (!record) throw notFound('flow', version === undefined ? flowId : `${flowId}@${version}`);
      return record;
    },
    list: () => store.listFlows(),
    compiled(flowId, version) {
      const resolved = version ?? latest.get(flowId);
      const key = `${flowId}@${resolved}`;
      const hit = resolved === undefined ? undefined : cache.get(key);
      if (hit) return hit;
      const load = (async () => {
        const record = await api.get(flowId, resolved);
        // A stored version was checked against the actions where it was published. On a shared
        // store an action this process lacks is run by the workers that have it (offered steps).
        const result = validateFlow(record.definition, store.leases ? {} : { actions });
        if (!result.flow) throw new FlowInvalidError(result.problems, key);
        const compiled = compileFlow(result.flow, record.version, estimateAi ? { actions, estimateAi } : { actions });
        if (resolved === undefined) cache.set(`${flowId}@${record.version}`, Promise.resolve(compiled));
        return compiled;
      })();
      // The promise is cached, not the result: a burst of starts compiles the version once.
      // A failure is not cached (the next call tries again).
      if (resolved !== undefined) {
        cache.set(key, load);
        load.catch(() => cache.delete(key));
      }
      return load;
    },
  };
  return api;
}
