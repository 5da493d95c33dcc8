/** The zod schemas of the swarm routes (F5): request validation and the OpenAPI document. */
import { z } from '@hono/zod-openapi';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const Json = z.unknown().openapi({ description: 'any JSON value' });
const JsonObject = z.record(z.string(), z.unknown());
const Path = z.string().min(1).max(1_000).openapi({ example: 'blackboard.leads' });
const TtlMs = z.number().int().positive().optional();
const Author = z.string().min(1).max(200).optional().openapi({ description: 'who writes (default `api`)' });

export const SwarmIdParam = z.object({
  swarmId: z
    .string()
    .regex(ID, 'a swarm id: letters, digits, _ . : -')
    .openapi({ param: { name: 'swarmId', in: 'path' } }),
});

export const PatchOpSchema = z
  .discriminatedUnion('op', [
    z.strictObject({ op: z.literal('set'), path: Path, value: Json, ttlMs: TtlMs }),
    z.strictObject({ op: z.literal('delete'), path: Path }),
    z.strictObject({ op: z.literal('append'), path: Path, value: Json, ttlMs: TtlMs }),
    z.strictObject({ op: z.literal('increment'), path: Path, by: z.number().finite().optional(), ttlMs: TtlMs }),
    z.strictObject({ op: z.literal('merge'), path: Path, value: JsonObject, ttlMs: TtlMs }),
    z.strictObject({ op: z.literal('deepMerge'), path: Path, value: JsonObject, ttlMs: TtlMs }),
  ])
  .openapi('PatchOp');

export const SwarmStart = z
  .strictObject({
    file: z
      .union([z.string().min(1).max(1_000_000), JsonObject])
      .openapi({ description: 'the swarm file: YAML text or its object' }),
    author: Author,
  })
  .openapi('SwarmStart');

export const SwarmPatch = z
  .strictObject({
    ops: z.array(PatchOpSchema).min(1).max(1_000),
    expectedVersion: z.number().int().positive().optional().openapi({ description: 'refused with 409 unless still at it' }),
    author: Author,
  })
  .openapi('SwarmPatch');

export const SwarmRollback = z.strictObject({ version: z.number().int().positive(), author: Author }).openapi('SwarmRollback');

export const SwarmStop = z.strictObject({ author: Author }).openapi('SwarmStop');

export const Swarm = z
  .object({
    id: z.string(),
    workspace: z.string(),
    name: z.string(),
    status: z.enum(['active', 'stopped']),
    version: z.number().int(),
    context: JsonObject,
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .openapi('Swarm');

export const SwarmList = z.object({ swarms: z.array(Swarm) }).openapi('SwarmList');

export const SwarmChange = z
  .object({
    swarmId: z.string(),
    version: z.number().int(),
    kind: z.enum(['created', 'patch', 'rollback', 'stopped']),
    author: z.string(),
    at: z.number(),
    ops: z.array(JsonObject),
    toVersion: z.number().int().optional(),
  })
  .openapi('SwarmChange');

export const SwarmHistoryQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional().openapi({ type: 'integer' }),
});
export const SwarmHistory = z.object({ changes: z.array(SwarmChange) }).openapi('SwarmHistory');

export const SwarmAudit = z
  .object({
    ok: z.boolean(),
    budget: z.number(),
    spent: z.number(),
    held: z.number(),
    available: z.number(),
    entries: z.number().int(),
    problems: z.array(z.string()),
  })
  .openapi('SwarmAudit');

const list = (what: string) =>
  z
    .string()
    .max(2_000)
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    )
    .openapi({ type: 'string', description: `${what}, comma-separated` });

export const SwarmFollowQuery = z.strictObject({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ type: 'integer', description: 'deliver changes after this version' }),
  paths: list('path globs (`blackboard.*`, `subtasks.**`)'),
  types: list('operation names or change kinds'),
  author: z.string().max(200).optional(),
  batchSize: z.coerce.number().int().min(1).max(10_000).optional().openapi({ type: 'integer' }),
  batchMs: z.coerce.number().int().min(0).max(60_000).optional().openapi({ type: 'integer' }),
  maxBatchesPerSecond: z.coerce.number().min(0.01).max(10_000).optional().openapi({ type: 'number' }),
});

export const SwarmFollowHeaders = z.object({
  'Last-Event-ID': z
    .string()
    .regex(/^\d{1,15}$/, 'the version of the last change received')
    .optional(),
});

export const SwarmRunStart = z
  .strictObject({
    flowId: z.string().min(1).max(200),
    input: JsonObject.optional().openapi({ description: 'the run gets `swarm: <swarmId>` added' }),
  })
  .openapi('SwarmRunStart');
