/** The zod schemas of the journeys API (F6): requests validated here are the OpenAPI document. */
import { z } from '@hono/zod-openapi';
import { hookInput } from '../journey/hook-config.js';
import { idParam } from './schemas.js';

export const JourneyIdParam = z.object({ journeyId: idParam('journeyId', 'a journey id') });
export const EntityIdParam = z.object({ entityId: idParam('entityId', 'an entity id') });
export const SlugParam = z.object({ slug: idParam('slug', 'a hook slug') });

const Mapping = z.strictObject({
  nodeId: z.string().min(1),
  flowId: z.string().min(1),
  version: z.int().min(1).optional(),
  input: z.record(z.string(), z.unknown()).optional().openapi({ description: 'value template over `entity` and `run.trigger`' }),
});
export const MappingsBody = z.strictObject({ mappings: z.array(Mapping).max(1000) });
export const MappingsView = z.object({ mappings: z.array(Mapping) });

export const JourneyView = z
  .object({ id: z.string(), version: z.int(), steps: z.array(z.string()), entry: z.string(), mappings: z.array(Mapping) })
  .openapi('Journey');

export const BoardView = z
  .object({
    journeyId: z.string(),
    nodes: z.array(z.object({ nodeId: z.string(), active: z.int(), failed: z.int() })),
    completed: z.int(),
    total: z.int(),
  })
  .openapi('JourneyBoard');

const EntityStatus = z.enum(['active', 'failed', 'completed']);

export const EntityView = z
  .object({
    id: z.string(),
    journeyId: z.string(),
    email: z.string().optional(),
    name: z.string().optional(),
    attributes: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()),
    nodeId: z.string().optional(),
    status: EntityStatus,
    createdAt: z.int(),
    updatedAt: z.int(),
  })
  .openapi('Entity');

export const EntityUpsert = z.strictObject({
  email: z.email().max(320).optional(),
  name: z.string().max(500).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  nodeId: z.string().min(1).optional().openapi({ description: 'a ux node of the journey (default: its first step)' }),
});

export const EntityQuery = z.strictObject({
  nodeId: z.string().min(1).optional(),
  status: EntityStatus.optional(),
  after: z.string().max(200).optional().openapi({ description: '`next` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({ type: 'integer' }),
});

export const EntityPage = z.object({ entities: z.array(EntityView), next: z.string().optional() });

export const MoveBody = z.strictObject({ nodeId: z.string().min(1), by: z.string().max(200).optional() });
export const RetryBody = z.strictObject({ by: z.string().max(200).optional() });

export const TimelineView = z.object({
  events: z.array(z.object({ seq: z.int(), type: z.string(), at: z.int(), data: z.record(z.string(), z.unknown()) })),
});

export const HookBody = hookInput;
export const HookView = z
  .object({ slug: z.string(), journeyId: z.string(), signed: z.boolean(), createdAt: z.int() })
  .catchall(z.unknown())
  .openapi('Hook', { description: 'a hook as configured, without its secret' });

export const Received = z.object({ entity: EntityView.extend({ created: z.boolean() }) });
