/**
 * Entities (F6.2, F6.3): upsert by email within a journey, placed only at a ux node; moved by a
 * person or an API call; retried after a failed run. Every change is one `EntityWrite`.
 */
import { RequestError } from '../errors.js';
import type { EntityRow, EntityStatus, JourneyEventRow } from '../store/journey-records.js';
import type { JourneyContext } from './context.js';
import { arriveAt, type Change, changeEntity, commitChange, entityView, moveChange, outbox, type Source } from './moves.js';

export type EntityView = ReturnType<typeof entityView> & { readonly createdAt: number; readonly updatedAt: number };

export interface EntityInput {
  readonly email?: string;
  readonly name?: string;
  readonly attributes?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  /** The ux node to place it at: a new entity starts at the journey's first step by default. */
  readonly nodeId?: string;
}

export interface EntityList {
  readonly entities: EntityView[];
  /** Pass as `after` for the next page. */
  readonly next?: string;
}

/** One workspace's entities. */
export interface WorkspaceEntities {
  /**
   * Creates an entity, or updates the one with the same email in the journey (attributes and
   * metadata merged; moved when `nodeId` names another step). `event` joins its timeline.
   */
  upsert(
    journeyId: string,
    input: EntityInput,
    source?: Source,
    event?: { type: string; data: Record<string, unknown> },
  ): Promise<EntityView & { created: boolean }>;
  get(entityId: string): Promise<EntityView>;
  list(
    journeyId: string,
    filter?: { nodeId?: string; status?: EntityStatus; after?: string; limit?: number },
  ): Promise<EntityList>;
  /** Moves it to a ux node (a manual move: an event; the node's flow starts if mapped). */
  move(entityId: string, nodeId: string, by?: string): Promise<EntityView>;
  /** After a failed run: a new arrival at the same node, so its flow starts again. */
  retry(entityId: string, by?: string): Promise<EntityView>;
  timeline(entityId: string): Promise<JourneyEventRow[]>;
}

export const toEntityView = (e: EntityRow): EntityView => ({ ...entityView(e), createdAt: e.createdAt, updatedAt: e.updatedAt });

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function checkInput(input: EntityInput): void {
  if (input.email !== undefined && (typeof input.email !== 'string' || !EMAIL.test(input.email))) {
    throw new RequestError('INPUT_INVALID', `entity email '${String(input.email)}' is not an email address`, {
      details: { field: 'email' },
    });
  }
  for (const field of ['attributes', 'metadata'] as const) {
    const value = input[field];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new RequestError('INPUT_INVALID', `entity ${field} must be an object`, { details: { field } });
    }
  }
}

export function workspaceEntities(ctx: JourneyContext, workspace: string): WorkspaceEntities {
  const journeys = ctx.store.journeys;

  async function create(journeyId: string, input: EntityInput, source: Source, event?: Change['events'][number]) {
    const [spine, mappings] = await Promise.all([ctx.spine(workspace, journeyId), ctx.mappings(workspace, journeyId)]);
    const nodeId = input.nodeId ?? spine.entry;
    const at = ctx.now();
    const entity = {
      workspace,
      id: ctx.newId('ent'),
      journeyId,
      ...(input.email === undefined ? {} : { email: input.email.toLowerCase() }),
      ...(input.name === undefined ? {} : { name: input.name }),
      attributes: input.attributes ?? {},
      metadata: input.metadata ?? {},
      nodeId,
      status: 'active' as const,
      createdAt: at,
    };
    const arrived = arriveAt(ctx, spine, mappings, entity, nodeId, source);
    const created = { type: 'created', data: { source, nodeId } };
    return commitChange(ctx, undefined, {
      entity: { ...entity, ...(arrived.arrivalId ? { arrivalId: arrived.arrivalId } : {}) },
      events: [created, ...(event ? [event] : []), ...arrived.events],
      ...outbox(arrived),
    });
  }

  async function update(found: EntityRow, input: EntityInput, source: Source, event?: Change['events'][number]) {
    const [spine, mappings] = await Promise.all([
      ctx.spine(workspace, found.journeyId),
      ctx.mappings(workspace, found.journeyId),
    ]);
    return changeEntity(ctx, workspace, found.id, (entity) => {
      const merged = {
        ...entity,
        ...(input.name === undefined ? {} : { name: input.name }),
        attributes: { ...entity.attributes, ...input.attributes },
        metadata: { ...entity.metadata, ...input.metadata },
      };
      const updated = { type: 'updated', data: { source } };
      if (input.nodeId !== undefined && input.nodeId !== entity.nodeId) {
        const move = moveChange(ctx, spine, mappings, merged, input.nodeId, source);
        return { ...move, events: [updated, ...(event ? [event] : []), ...move.events] };
      }
      return { entity: merged, events: [updated, ...(event ? [event] : [])] };
    });
  }

  const get = async (entityId: string) => {
    const found = await journeys.entity(workspace, entityId);
    if (!found) throw new RequestError('NOT_FOUND', `entity '${entityId}' not found`);
    return found;
  };

  return {
    async upsert(journeyId, input, source = 'api', event) {
      checkInput(input);
      for (let attempt = 0; attempt < 5; attempt++) {
        const email = input.email?.toLowerCase();
        const found = email === undefined ? undefined : await journeys.entityByEmail(workspace, journeyId, email);
        const written = found ? await update(found, input, source, event) : await create(journeyId, input, source, event);
        // Absent: a concurrent upsert created the same email first; update that one.
        if (written) return { ...toEntityView(written), created: !found };
      }
      throw new RequestError('CONFLICT', `entity '${input.email}' kept changing while it was being written: try again`, {
        retryable: true,
      });
    },
    get: async (entityId) => toEntityView(await get(entityId)),
    async list(journeyId, filter = {}) {
      await ctx.spine(workspace, journeyId);
      const limit = Math.min(filter.limit ?? 100, 1000);
      const rows = await journeys.listEntities(workspace, journeyId, { ...filter, limit: limit + 1 });
      const page = rows.slice(0, limit).map(toEntityView);
      return { entities: page, ...(rows.length > limit ? { next: page.at(-1)!.id } : {}) };
    },
    async move(entityId, nodeId, by) {
      const found = await get(entityId);
      const [spine, mappings] = await Promise.all([
        ctx.spine(workspace, found.journeyId),
        ctx.mappings(workspace, found.journeyId),
      ]);
      const written = await changeEntity(ctx, workspace, entityId, (entity) =>
        moveChange(ctx, spine, mappings, entity, nodeId, by ? 'manual' : 'api', by),
      );
      return toEntityView(written!);
    },
    async retry(entityId, by) {
      const found = await get(entityId);
      const [spine, mappings] = await Promise.all([
        ctx.spine(workspace, found.journeyId),
        ctx.mappings(workspace, found.journeyId),
      ]);
      const written = await changeEntity(ctx, workspace, entityId, (entity) => {
        if (entity.status !== 'failed' || entity.nodeId === undefined) {
          throw new RequestError(
            'ENTITY_STATUS',
            `entity '${entityId}' is ${entity.status}: only an entity whose run failed can be retried`,
          );
        }
        const again = moveChange(ctx, spine, mappings, entity, entity.nodeId, 'retry', by);
        // Not a move: the same step, a new arrival (and run). Its failed arrival stays failed.
        return {
          ...again,
          events: [{ type: 'retried', data: { nodeId: entity.nodeId, ...(by ? { by } : {}) } }, ...again.events.slice(1)],
          settle: undefined,
        };
      });
      return toEntityView(written!);
    },
    async timeline(entityId) {
      await get(entityId);
      return journeys.events(workspace, entityId);
    },
  };
}
