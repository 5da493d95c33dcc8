/**
 * Every change of an entity goes through here, as one `EntityWrite`: its row, its timeline
 * events, the arrival it settles and the arrival it makes, all committed together. An arrival at
 * a mapped ux node *is* the mapped run's start, durably queued: it names the run (`runId`, the
 * arrival's idempotency key) and progression starts exactly that run (see progression.ts).
 */
import { RequestError } from '../errors.js';
import { compileValue } from '../expr/index.js';
import type { ArrivalRow, EntityRow, JourneyEventRow, JourneyMapping } from '../store/journey-records.js';
import type { JourneyContext } from './context.js';
import { notAStep, type Spine } from './spine.js';

/** How an entity got somewhere: the trigger's `source` (webhook, email, api, cli, run, retry). */
export type Source = string;

export interface Trigger {
  readonly type: 'journey.arrival';
  readonly entityId: string;
  readonly uxNodeId: string;
  readonly source: Source;
}

/** What a change makes of an entity (absent: a new entity). */
export interface Change {
  readonly entity: Omit<EntityRow, 'version' | 'lastSeq' | 'updatedAt' | 'arrivalId'> & { readonly arrivalId?: string };
  readonly events: readonly { readonly type: string; readonly data: Record<string, unknown> }[];
  readonly settle?: { readonly id: string; readonly state: ArrivalRow['state'] };
  readonly arrival?: ArrivalRow;
}

/** The entity as flows, conditions and the API see it. */
export function entityView(
  e: Pick<EntityRow, 'id' | 'journeyId' | 'email' | 'name' | 'attributes' | 'metadata' | 'nodeId' | 'status'>,
) {
  return {
    id: e.id,
    journeyId: e.journeyId,
    ...(e.email === undefined ? {} : { email: e.email }),
    ...(e.name === undefined ? {} : { name: e.name }),
    attributes: e.attributes,
    metadata: e.metadata,
    ...(e.nodeId === undefined ? {} : { nodeId: e.nodeId }),
    status: e.status,
  };
}

/**
 * The entity standing at `nodeId` from now: the `arrived` event and, when the node is mapped,
 * the arrival that starts its flow (with its `run.started` event: the start is committed here).
 */
export function arriveAt(
  ctx: JourneyContext,
  spine: Spine,
  mappings: readonly JourneyMapping[],
  entity: Change['entity'],
  nodeId: string,
  source: Source,
): Pick<Change, 'events' | 'arrival'> & { arrivalId?: string } {
  if (!spine.isStep(nodeId)) throw notAStep(spine, nodeId);
  const mapping = mappings.find((m) => m.nodeId === nodeId);
  const arrived = { type: 'arrived', data: { nodeId, source } };
  if (!mapping) return { events: [arrived] };
  const id = ctx.newId('arr');
  const trigger: Trigger = { type: 'journey.arrival', entityId: entity.id, uxNodeId: nodeId, source };
  const view = entityView({ ...entity, nodeId, status: 'active' });
  // The run's input: the entity, what the mapping adds (a value template), and the trigger.
  const mapped =
    mapping.input === undefined
      ? {}
      : compileValue(mapping.input, `mapping of '${nodeId}'.input`).evaluate({ entity: view, run: { trigger } });
  const arrival: ArrivalRow = {
    id,
    workspace: entity.workspace,
    journeyId: entity.journeyId,
    entityId: entity.id,
    nodeId,
    runId: `run_j${id.slice(4)}`,
    flowId: mapping.flowId,
    ...(mapping.version === undefined ? {} : { version: mapping.version }),
    input: { entity: view, ...(mapped as object), trigger },
    state: 'open',
    createdAt: ctx.now(),
  };
  const started = { type: 'run.started', data: { runId: arrival.runId, flowId: mapping.flowId, arrivalId: id } };
  return { events: [{ ...arrived, data: { ...arrived.data, arrivalId: id } }, started], arrival, arrivalId: id };
}

/** Writes a change on top of `before` (absent: a new entity); false when someone else wrote first. */
export async function commitChange(
  ctx: JourneyContext,
  before: EntityRow | undefined,
  change: Change,
): Promise<EntityRow | undefined> {
  const at = ctx.now();
  const lastSeq = before?.lastSeq ?? 0;
  const events: JourneyEventRow[] = change.events.map((e, i) => ({
    entityId: change.entity.id,
    seq: lastSeq + i + 1,
    type: e.type,
    at,
    data: e.data,
  }));
  const { arrivalId, ...fields } = change.entity;
  const entity: EntityRow = {
    ...fields,
    ...(arrivalId === undefined ? {} : { arrivalId }),
    version: (before?.version ?? 0) + 1,
    lastSeq: lastSeq + events.length,
    updatedAt: at,
  };
  const written = await ctx.store.journeys.write({
    entity,
    ...(before ? { before: { version: before.version, nodeId: before.nodeId, status: before.status } } : {}),
    events,
    ...(change.settle ? { settle: change.settle } : {}),
    ...(change.arrival ? { arrival: change.arrival } : {}),
  });
  // Progression starts the new arrival's run and cancels the superseded arrival's one.
  if (written && (change.arrival || change.settle?.state === 'superseded')) ctx.arrived();
  return written ? entity : undefined;
}

/**
 * Reads the entity, makes its change and writes it; when another writer got there first, reads
 * it again and decides again (the change may no longer apply: `make` returns undefined).
 */
export async function changeEntity(
  ctx: JourneyContext,
  workspace: string,
  entityId: string,
  make: (entity: EntityRow) => Promise<Change | undefined> | Change | undefined,
): Promise<EntityRow | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await ctx.store.journeys.entity(workspace, entityId);
    if (!before) throw new RequestError('NOT_FOUND', `entity '${entityId}' not found`);
    const change = await make(before);
    if (!change) return undefined;
    const written = await commitChange(ctx, before, change);
    if (written) return written;
  }
  throw new RequestError('CONFLICT', `entity '${entityId}' kept changing while it was being written: try again`, {
    retryable: true,
  });
}

/**
 * The change that moves an entity to `nodeId` (a person, the API, a hook). Its current arrival, when
 * its run may still be working, is superseded: progression cancels that run after this write is
 * committed (so a crash in between leaves the cancel to the next pass, never undone).
 */
export function moveChange(
  ctx: JourneyContext,
  spine: Spine,
  mappings: readonly JourneyMapping[],
  entity: EntityRow,
  nodeId: string,
  source: Source,
  by?: string,
): Change {
  const base = { ...entity, nodeId, status: 'active' as const };
  const arrived = arriveAt(ctx, spine, mappings, base, nodeId, source);
  const moved = { type: 'moved', data: { from: entity.nodeId ?? null, to: nodeId, source, ...(by ? { by } : {}) } };
  return {
    entity: { ...base, ...(arrived.arrivalId ? { arrivalId: arrived.arrivalId } : { arrivalId: undefined }) },
    events: [moved, ...arrived.events],
    ...(entity.arrivalId
      ? { settle: { id: entity.arrivalId, state: entity.status === 'active' ? ('superseded' as const) : ('done' as const) } }
      : {}),
    ...(arrived.arrival ? { arrival: arrived.arrival } : {}),
  };
}
