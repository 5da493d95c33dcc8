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

/** Why a journey run started: the arrival at a mapped node, or a side effect of it (a system edge to `systemNodeId`). */
export interface Trigger {
  readonly type: 'journey.arrival' | 'journey.system';
  readonly entityId: string;
  readonly uxNodeId: string;
  readonly source: Source;
  readonly systemNodeId?: string;
}

/** A side-effect arrival (a system edge's run): it never moves the entity. */
export function isSideEffect(arrival: Pick<ArrivalRow, 'input'>): boolean {
  return (arrival.input as { trigger?: Trigger } | undefined)?.trigger?.type === 'journey.system';
}

/** What a change makes of an entity (absent: a new entity). */
export interface Change {
  readonly entity: Omit<EntityRow, 'version' | 'lastSeq' | 'updatedAt' | 'arrivalId'> & { readonly arrivalId?: string };
  readonly events: readonly { readonly type: string; readonly data: Record<string, unknown> }[];
  readonly settle?: { readonly id: string; readonly state: ArrivalRow['state'] };
  readonly arrival?: ArrivalRow;
  readonly effects?: readonly ArrivalRow[];
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
 * The entity standing at `nodeId` from now: the `arrived` event; when the node is mapped, the
 * arrival that starts its flow (with its `run.started` event: the start is committed here); and
 * one side-effect arrival per system edge of the node (`system.started`), whether it is mapped
 * or not. Each arrival names its run, so each runs at most once per arrival.
 */
export function arriveAt(
  ctx: JourneyContext,
  spine: Spine,
  mappings: readonly JourneyMapping[],
  entity: Change['entity'],
  nodeId: string,
  source: Source,
): Pick<Change, 'events' | 'arrival' | 'effects'> & { arrivalId?: string } {
  if (!spine.isStep(nodeId)) throw notAStep(spine, nodeId);
  const view = entityView({ ...entity, nodeId, status: 'active' });
  const trigger: Trigger = { type: 'journey.arrival', entityId: entity.id, uxNodeId: nodeId, source };
  const effects = spine
    .effects(nodeId)
    .map((effect) =>
      arrival(ctx, entity, view, { ...trigger, type: 'journey.system', systemNodeId: effect.nodeId }, effect, () =>
        effect.input?.evaluate({ entity: view, run: { trigger } }),
      ),
    );
  const effectEvents = effects.map((a) => ({
    type: 'system.started',
    data: { runId: a.runId, flowId: a.flowId, systemNodeId: (a.input as { trigger: Trigger }).trigger.systemNodeId },
  }));
  const mapping = mappings.find((m) => m.nodeId === nodeId);
  const arrived = { type: 'arrived', data: { nodeId, source } };
  const withEffects = effects.length > 0 ? { effects } : {};
  if (!mapping) return { events: [arrived, ...effectEvents], ...withEffects };
  const mapped = arrival(ctx, entity, view, trigger, mapping, () =>
    mapping.input === undefined
      ? undefined
      : compileValue(mapping.input, `mapping of '${nodeId}'.input`).evaluate({ entity: view, run: { trigger } }),
  );
  const started = { type: 'run.started', data: { runId: mapped.runId, flowId: mapping.flowId, arrivalId: mapped.id } };
  return {
    events: [{ ...arrived, data: { ...arrived.data, arrivalId: mapped.id } }, started, ...effectEvents],
    arrival: mapped,
    arrivalId: mapped.id,
    ...withEffects,
  };
}

/** An arrival naming its run (`run_j<arrival id>`); the run's input is the entity, what `input` adds, and the trigger. */
function arrival(
  ctx: JourneyContext,
  entity: Change['entity'],
  view: ReturnType<typeof entityView>,
  trigger: Trigger,
  flow: { readonly flowId: string; readonly version?: number },
  input: () => unknown,
): ArrivalRow {
  const id = ctx.newId('arr');
  return {
    id,
    workspace: entity.workspace,
    journeyId: entity.journeyId,
    entityId: entity.id,
    nodeId: trigger.uxNodeId,
    runId: `run_j${id.slice(4)}`,
    flowId: flow.flowId,
    ...(flow.version === undefined ? {} : { version: flow.version }),
    input: { entity: view, ...((input() ?? {}) as object), trigger },
    state: 'open',
    createdAt: ctx.now(),
  };
}

/** The arrivals an `arriveAt` makes, as a change's fields. */
export function outbox(arrived: Pick<Change, 'arrival' | 'effects'>): Pick<Change, 'arrival' | 'effects'> {
  return {
    ...(arrived.arrival ? { arrival: arrived.arrival } : {}),
    ...(arrived.effects ? { effects: arrived.effects } : {}),
  };
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
    ...(change.effects ? { effects: change.effects } : {}),
  });
  // Progression starts the new arrivals' runs and cancels the superseded arrival's one.
  if (written && (change.arrival || change.effects || change.settle?.state === 'superseded')) ctx.arrived();
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
    ...outbox(arrived),
  };
}
