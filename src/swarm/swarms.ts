/**
 * The swarms API (`runloom.swarms`): start a swarm from its file, read it at a version, patch it
 * with compare-and-set, roll it back, follow its changes, stop it, and audit its ledger. The HTTP
 * routes and the CLI call exactly these methods.
 *
 * @example
 * const swarm = await runloom.swarms.start(yamlText);
 * const { version } = await runloom.swarms.patch(swarm.id, [{ op: 'append', path: 'blackboard.leads', value: 'ada' }], {
 *   author: 'me', expectedVersion: swarm.version,
 * });
 */
import { randomBytes } from 'node:crypto';
import type { RunView } from '../api/runs.js';
import type { Bus } from '../bus/bus.js';
import { notFound, RequestError } from '../errors.js';
import type { Store, SwarmRow, SwarmVersionRow } from '../store/store.js';
import { type AuditReport, auditLedger } from './audit.js';
import { createBudgets, type SwarmBudgets } from './budgets.js';
import { type ChangeKind, rollbackOps, type SwarmChange } from './changes.js';
import { contextView, type SwarmContext } from './context.js';
import { coordinatorFlow } from './coordinator.js';
import { createLivePolicy, type RunsPort } from './live-policy.js';
import { applyPatch, type PatchOp } from './patch.js';
import { type SubscribeOptions, type Subscription, subscribeChanges } from './subscriptions.js';
import { contextOf, readSwarmFile } from './swarm-file.js';

export interface Swarm {
  readonly id: string;
  readonly workspace: string;
  readonly name: string;
  readonly status: SwarmRow['status'];
  readonly version: number;
  readonly context: SwarmContext;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Scope {
  /** The workspace the caller acts in (default `default`). */
  readonly workspace?: string;
}

export interface WriteOptions extends Scope {
  /** Who writes: an agent id, a run, a person (default `api`). */
  readonly author?: string;
  /** Refuse with CONFLICT unless the swarm is still at this version. */
  readonly expectedVersion?: number;
  /**
   * Apply this write once only (a step's idempotency key): a second patch with the same key, on
   * a retry, after a crash or in a replay, changes nothing and answers the swarm as it is.
   */
  readonly writeKey?: string;
}

export interface SwarmsApi {
  start(file: string | unknown, options?: WriteOptions): Promise<Swarm>;
  get(id: string, options?: Scope): Promise<Swarm>;
  /** The swarm as runs see it (`swarm.*`): expired blackboard entries left out. */
  view(id: string, options?: Scope): Promise<Record<string, unknown>>;
  list(options?: Scope): Promise<Swarm[]>;
  patch(id: string, ops: readonly PatchOp[], options?: WriteOptions): Promise<Swarm>;
  rollback(id: string, toVersion: number, options?: WriteOptions): Promise<Swarm>;
  /** Kept changes after `afterVersion`, oldest first. */
  history(id: string, options?: Scope & { afterVersion?: number }): Promise<SwarmChange[]>;
  /** The context at a kept version. */
  at(id: string, version: number, options?: Scope): Promise<SwarmContext>;
  stop(id: string, options?: WriteOptions): Promise<Swarm>;
  subscribe(id: string, options: SubscribeOptions & Scope, deliver: (batch: SwarmChange[]) => void): Promise<Subscription>;
  audit(id: string, options?: Scope): Promise<AuditReport>;
  /**
   * Starts a run in the swarm (its input gets `swarm: <id>`): a member whose credit limit follows
   * the swarm's budget and policies live (live-policy.ts).
   */
  startRun(id: string, flow: string, input?: Record<string, unknown>, options?: Scope): Promise<RunView>;
  /**
   * Sets the team to work: publishes the swarm's coordinator flow (coordinator.ts) and starts it
   * as a run in the swarm; the agents take turns until the goal, the budget or the turn limit.
   */
  startAgents(id: string, options?: Scope): Promise<RunView>;
  /** Credits: run allocations and step reservations against the swarm's budget. */
  readonly budgets: SwarmBudgets;
}

const DEFAULT_WORKSPACE = 'default';
/** A writer that lost the compare-and-set to another retries this many times before giving up. */
const MAX_RETRIES = 50;

const toSwarm = (row: SwarmRow): Swarm => ({
  id: row.id,
  workspace: row.workspace,
  name: row.name,
  status: row.status,
  version: row.version,
  context: row.context as unknown as SwarmContext,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const toChange = (swarmId: string, v: SwarmVersionRow): SwarmChange => ({
  ...(v.change as unknown as Omit<SwarmChange, 'swarmId' | 'version'>),
  swarmId,
  version: v.version,
});

/** Publishes a generated flow (the coordinator's): the flows API's publish. */
export type PublishFlow = (flow: Record<string, unknown>) => Promise<unknown>;

export function createSwarmsApi(
  store: Store,
  bus: Bus,
  now: () => number = Date.now,
  runs?: RunsPort,
  publish?: PublishFlow,
): SwarmsApi {
  const records = store.swarms;
  const policy = runs && createLivePolicy(store, runs, now);
  const load = async (id: string, scope: Scope = {}): Promise<SwarmRow> => {
    const row = await records.get(id, scope.workspace ?? DEFAULT_WORKSPACE);
    if (!row) throw notFound('swarm', id);
    return row;
  };

  /**
   * Writes the next version made by `make` from the current context, with compare-and-set:
   * under `expectedVersion` a moved-on swarm is a CONFLICT; without it the writer re-reads and
   * re-applies (its operations name what they change, so they apply on any version).
   */
  const write = async (
    id: string,
    options: WriteOptions,
    kind: ChangeKind,
    make: (
      current: SwarmContext,
      at: number,
      row: SwarmRow,
    ) => { context: SwarmContext; ops: readonly PatchOp[]; toVersion?: number },
  ): Promise<Swarm> => {
    const author = options.author ?? 'api';
    const written = async () => options.writeKey !== undefined && (await records.findWrite(id, options.writeKey)) !== undefined;
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const row = await load(id, options);
      if (await written()) return toSwarm(row);
      if (options.expectedVersion !== undefined && row.version !== options.expectedVersion) throw conflict(row);
      if (row.status === 'stopped') {
        throw new RequestError('SWARM_STOPPED', `swarm '${id}' is stopped: it takes no more changes`, { details: { id } });
      }
      const at = now();
      const made = make(row.context as unknown as SwarmContext, at, row);
      const change = { kind, author, at, ops: made.ops, ...(made.toVersion !== undefined ? { toVersion: made.toVersion } : {}) };
      const next = { version: row.version + 1, context: made.context as unknown as Record<string, unknown>, change, at };
      const budget = made.context.resources.budget;
      const oldBudget = (row.context as unknown as SwarmContext).resources.budget;
      if (await records.commitVersion(id, row.version, next, budget !== oldBudget ? budget : undefined, options.writeKey)) {
        bus.publishSwarmChange(id, toChange(id, next));
        // Before answering: the members' new limits are on their way when the patch returns.
        if (made.ops.some((op) => /^(policies|resources)(\.|$)/.test(op.path))) await policy?.apply(id, made.context);
        return toSwarm({ ...row, version: next.version, context: next.context, updatedAt: at });
      }
      if (await written()) return toSwarm(await load(id, options));
      if (options.expectedVersion !== undefined) throw conflict(await load(id, options));
      // Lost the race: wait a random while (growing) so writers that keep colliding spread out
      // instead of one of them losing every round.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new RequestError('CONFLICT', `swarm '${id}' kept changing: gave up after ${MAX_RETRIES} tries`, { details: { id } });
  };

  const budgets = createBudgets(store, now);

  return {
    budgets,
    async start(file, options = {}) {
      const spec = readSwarmFile(file);
      const at = now();
      const author = options.author ?? 'api';
      const context = contextOf(spec, author, at);
      const id = `swarm_${at.toString(36)}${randomBytes(5).toString('hex')}`;
      const row: SwarmRow = {
        id,
        workspace: options.workspace ?? DEFAULT_WORKSPACE,
        name: spec.name ?? id,
        status: 'active',
        version: 1,
        context: context as unknown as Record<string, unknown>,
        keepVersions: spec.keepVersions,
        createdAt: at,
        updatedAt: at,
      };
      const change = { kind: 'created', author, at, ops: [] };
      await records.create(row, { version: 1, context: row.context, change, at }, spec.budget);
      return toSwarm(row);
    },
    get: async (id, options) => toSwarm(await load(id, options)),
    async view(id, options) {
      const row = await load(id, options);
      return contextView(row.context as unknown as SwarmContext, now(), row.version);
    },
    list: async (options = {}) => (await records.list(options.workspace ?? DEFAULT_WORKSPACE)).map(toSwarm),
    patch: (id, ops, options = {}) =>
      write(id, options, 'patch', (current, at) => ({ context: applyPatch(current, ops, options.author ?? 'api', at), ops })),
    async rollback(id, toVersion, options = {}) {
      const target = (await records.versions(id, toVersion - 1)).find((v) => v.version === toVersion);
      await load(id, options);
      if (!target) {
        throw new RequestError('NOT_FOUND', `swarm '${id}' keeps no version ${toVersion} (older ones are dropped)`, {
          details: { id, version: toVersion },
        });
      }
      const restored = target.context as unknown as SwarmContext;
      return write(id, options, 'rollback', (current) => ({ context: restored, ops: rollbackOps(current, restored), toVersion }));
    },
    async history(id, options = {}) {
      await load(id, options);
      return (await records.versions(id, options.afterVersion ?? 0)).map((v) => toChange(id, v));
    },
    async at(id, version, options) {
      await load(id, options);
      const found = (await records.versions(id, version - 1)).find((v) => v.version === version);
      if (!found) throw new RequestError('NOT_FOUND', `swarm '${id}' keeps no version ${version}`, { details: { id, version } });
      return found.context as unknown as SwarmContext;
    },
    async stop(id, options = {}) {
      const row = await load(id, options);
      if (row.status === 'stopped') return toSwarm(row);
      const at = now();
      await records.setStatus(id, 'stopped', at);
      const change: SwarmChange = {
        swarmId: id,
        version: row.version,
        kind: 'stopped',
        author: options.author ?? 'api',
        at,
        ops: [],
      };
      bus.publishSwarmChange(id, { ...change, version: row.version });
      return toSwarm({ ...row, status: 'stopped', updatedAt: at });
    },
    async subscribe(id, options, deliver) {
      await load(id, options);
      return subscribeChanges(
        {
          swarmId: id,
          bus,
          currentVersion: async () => (await load(id, options)).version,
          changesAfter: async (version) => (await records.versions(id, version)).map((v) => toChange(id, v)),
        },
        options,
        deliver,
      );
    },
    async startRun(id, flow, input = {}, options = {}) {
      if (!policy) throw new RequestError('UNAVAILABLE', 'swarm runs need a Runloom instance (createRunloom)');
      const row = await load(id, options);
      if (row.status === 'stopped')
        throw new RequestError('SWARM_STOPPED', `swarm '${id}' is stopped: it starts no runs`, { details: { id } });
      return policy.startRun(id, row.context as unknown as SwarmContext, flow, input, { workspace: row.workspace });
    },
    async startAgents(id, options = {}) {
      if (!publish) throw new RequestError('UNAVAILABLE', 'swarm agents need a Runloom instance (createRunloom)');
      const row = await load(id, options);
      const flow = coordinatorFlow(id, row.context as unknown as SwarmContext);
      await publish(flow);
      return this.startRun(id, flow.id as string, {}, options);
    },
    async audit(id, options) {
      await load(id, options);
      return auditLedger(id, await records.accounts(id), await records.ledger(id));
    },
  };
}

function conflict(row: SwarmRow): RequestError {
  return new RequestError('CONFLICT', `swarm '${row.id}' is at version ${row.version}, not the version expected`, {
    details: { id: row.id, currentVersion: row.version },
  });
}
