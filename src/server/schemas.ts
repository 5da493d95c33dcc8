/**
 * The zod schemas of the HTTP API: they validate requests and are the OpenAPI document (one
 * source). Request bodies are strict (an unknown field is a 400 naming it); responses describe
 * what the library's views hold.
 */
import { z } from '@hono/zod-openapi';
import { RUN_STATUSES } from '../engine/types.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A path parameter holding an id (what it names goes in the message). */
export const idParam = (name: string, what: string) =>
  z
    .string()
    .regex(ID, `${what}: letters, digits, _ . : -`)
    .openapi({ param: { name, in: 'path' } });

export const RunIdParam = z.object({ runId: idParam('runId', 'a run id') });
export const FlowIdParam = z.object({ flowId: idParam('flowId', 'a flow id') });
export const FlowVersionParam = FlowIdParam.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .openapi({ param: { name: 'version', in: 'path' }, type: 'integer' }),
});
export const NodeParam = RunIdParam.extend({ nodeId: idParam('nodeId', 'a node id') });
export const KeyIdParam = z.object({ keyId: idParam('keyId', 'a key id') });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'NOT_FOUND' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

const Json = z.unknown().openapi({ description: 'any JSON value' });
const JsonObject = z.record(z.string(), z.unknown());

export const FlowSource = z
  .strictObject({
    flow: z.union([z.string().max(1_000_000), JsonObject]).openapi({ description: 'a flow file: YAML/JSON text or an object' }),
    sourceName: z.string().max(200).optional(),
  })
  .openapi('FlowSource');

export const FlowSources = z.strictObject({ flows: z.array(FlowSource).min(1).max(100) }).openapi('FlowSources');

export const FlowProblem = z.object({ path: z.string(), code: z.string(), message: z.string() }).openapi('FlowProblem');
export const Validation = z.object({ valid: z.boolean(), problems: z.array(FlowProblem) }).openapi('Validation');

export const FlowVersion = z
  .object({ flowId: z.string(), version: z.number().int(), definition: JsonObject, createdAt: z.number() })
  .openapi('FlowVersion');
export const FlowSummary = z
  .object({
    flowId: z.string(),
    name: z.string().optional(),
    latestVersion: z.number().int().optional(),
    hasDraft: z.boolean(),
    updatedAt: z.number(),
  })
  .openapi('FlowSummary');
export const Draft = z.object({ flowId: z.string(), definition: JsonObject }).openapi('Draft');

const Status = z.enum(RUN_STATUSES);
const Limits = z.strictObject({
  maxSteps: z.number().int().positive().optional(),
  maxTime: z.number().int().positive().optional(),
  maxCredits: z.number().nonnegative().optional(),
});
const OnLimit = z.strictObject({
  maxSteps: z.enum(['fail', 'pause']).optional(),
  maxTime: z.enum(['fail', 'pause']).optional(),
  maxCredits: z.enum(['fail', 'pause']).optional(),
});

export const StartRun = z
  .strictObject({
    flowId: z.string().regex(ID, 'a flow id'),
    version: z.number().int().min(1).optional(),
    input: JsonObject.optional(),
    options: z
      .strictObject({
        limits: Limits.optional(),
        onLimit: OnLimit.optional(),
        env: JsonObject.optional(),
        strategy: z.string().max(64).optional(),
      })
      .optional(),
  })
  .openapi('StartRun');

export const IdempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
});

const Usage = z.object({ steps: z.number(), credits: z.number(), activeMs: z.number().optional() }).passthrough();
const Branch = z
  .object({ token: z.number(), branch: z.string(), nodeId: z.string(), status: z.string(), attempt: z.number() })
  .passthrough();

/** What a run and a run's summary both start with. */
const runHead = {
  id: z.string(),
  flowId: z.string(),
  flowVersion: z.number().int(),
  status: Status,
  reason: z.string(),
};

export const RunView = z
  .object({
    ...runHead,
    input: Json,
    vars: JsonObject,
    output: Json.optional(),
    error: z.object({ code: z.string(), message: z.string() }).passthrough().optional(),
    usage: Usage,
    limits: JsonObject,
    parentRunId: z.string().optional(),
    forkOf: z.object({ runId: z.string(), seq: z.number().int() }).optional(),
    createdAt: z.number(),
    updatedAt: z.number(),
    progress: z.object({
      percent: z.number(),
      completedWeight: z.number(),
      totalWeight: z.number(),
      branches: z.array(Branch),
    }),
    waitingOn: z.array(
      z.object({
        nodeId: z.string(),
        waitingFor: z.string(),
        signal: z.string().optional(),
        options: z.array(z.string()).optional(),
        said: z.string().optional().openapi({ description: 'a conversation waiting for a message: what the model said last' }),
      }),
    ),
  })
  .openapi('Run');

export const RunSummary = z
  .object({
    ...runHead,
    parentRunId: z.string().optional(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .openapi('RunSummary');

const statusList = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const statuses = text.split(',').filter(Boolean);
    for (const status of statuses) {
      if (!(RUN_STATUSES as readonly string[]).includes(status)) {
        ctx.addIssue({ code: 'custom', message: `unknown status '${status}' (one of ${RUN_STATUSES.join(', ')})` });
      }
    }
    return statuses as (typeof RUN_STATUSES)[number][];
  });

export const ListRunsQuery = z.strictObject({
  status: statusList.optional().openapi({ type: 'string', description: 'comma-separated statuses' }),
  flowId: z.string().regex(ID).optional(),
  parentRunId: z.string().regex(ID).optional(),
  createdFrom: z.coerce.number().int().min(0).optional().openapi({ type: 'integer', description: 'created at or after (ms)' }),
  createdBefore: z.coerce.number().int().min(0).optional().openapi({ type: 'integer', description: 'created before (ms)' }),
  cursor: z
    .string()
    .max(300)
    .transform((text, ctx) => {
      const match = /^(\d{1,15})\.([A-Za-z0-9_.:-]{1,128})$/.exec(Buffer.from(text, 'base64url').toString());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave (nextCursor of the previous page)' });
        return z.NEVER;
      }
      return { createdAt: Number(match[1]), id: match[2] };
    })
    .optional()
    .openapi({ type: 'string', description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({ type: 'integer' }),
  order: z.enum(['newest', 'oldest']).optional(),
});
export const RunList = z
  .object({ runs: z.array(RunSummary), nextCursor: z.string().optional().openapi({ description: 'absent on the last page' }) })
  .openapi('RunList');

/** The cursor of the page after `run` (opaque to clients). */
export const cursorOf = (run: { createdAt: number; id: string }) =>
  Buffer.from(`${run.createdAt}.${run.id}`).toString('base64url');

export const Event = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: z.number(),
    nodeId: z.string().optional(),
    token: z.number().optional(),
    data: Json.optional(),
  })
  .openapi('Event');
export const EventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional().openapi({ type: 'integer' }),
  limit: z.coerce.number().int().min(1).max(10_000).optional().openapi({ type: 'integer' }),
});
export const EventList = z.object({ events: z.array(Event) }).openapi('EventList');
export const FollowHeaders = z.object({
  'Last-Event-ID': z
    .string()
    .regex(/^\d{1,15}$/, 'the seq of the last event received')
    .optional(),
});

export const Step = z
  .object({
    runId: z.string(),
    seq: z.number().int(),
    nodeId: z.string(),
    branch: z.string(),
    attempt: z.number().int(),
    item: z.number().int().optional(),
    status: z.enum(['completed', 'failed', 'cancelled']),
    input: Json.optional(),
    output: Json.optional(),
    error: z.object({ code: z.string(), message: z.string() }).passthrough().optional(),
    startedAt: z.number(),
    endedAt: z.number(),
  })
  .openapi('Step');
export const StepList = z.object({ steps: z.array(Step) }).openapi('StepList');

const Actor = { by: z.string().max(200).optional() };
export const ControlBody = z.strictObject(Actor).openapi('Control');
export const RetryBody = z.strictObject({ nodeId: z.string().regex(ID).optional(), ...Actor }).openapi('Retry');
export const SignalBody = z.strictObject({ name: z.string().min(1).max(200), payload: Json.optional() }).openapi('Signal');
export const DecideBody = z
  .strictObject({ nodeId: z.string().regex(ID), to: z.string().regex(ID), ...Actor, reason: z.string().max(2000).optional() })
  .openapi('Decision');
export const LimitsBody = z.strictObject({ limits: Limits, onLimit: OnLimit.optional() }).openapi('RaiseLimits');
export const InputBody = z.strictObject({ data: Json }).openapi('HumanInput');
export const MessageBody = z
  .strictObject({
    text: z.string().max(100_000),
    /** The person ends the conversation (text may then be empty). */
    end: z.boolean().optional(),
    ...Actor,
  })
  .openapi('Message');
export const CallbackBody = z
  .discriminatedUnion('status', [
    z.strictObject({ status: z.literal('completed'), output: Json.optional() }),
    z.strictObject({
      status: z.literal('failed'),
      error: z.strictObject({ code: z.string().max(100).optional(), message: z.string().max(10_000) }),
    }),
  ])
  .openapi('Callback');

export const KeyCreate = z.strictObject({ name: z.string().min(1).max(100) }).openapi('KeyCreate');
export const KeyInfo = z
  .object({ id: z.string(), workspace: z.string(), name: z.string(), createdAt: z.number(), revokedAt: z.number().optional() })
  .openapi('Key');
export const KeyCreated = KeyInfo.extend({ secret: z.string().openapi({ description: 'shown once' }) }).openapi('KeyCreated');

export const Health = z.object({ ok: z.boolean(), checks: z.record(z.string(), z.string()).optional() }).openapi('Health');

/** A failed callback's error as the step records it (a code is optional for the caller). */
export const callbackError = (error: { code?: string | undefined; message: string }) => ({
  code: error.code ?? 'CALLBACK_FAILED',
  message: error.message,
});

/** A webhook task's callback URL: the step, and its capability token (base64url, 43 characters). */
export const WebhookCallbackParam = NodeParam.extend({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, "token: the callback URL's 43 base64url characters")
    .openapi({ param: { name: 'token', in: 'path' } }),
});

export const WebhookCallbackAccepted = z
  .object({ runId: z.string(), nodeId: z.string(), accepted: z.literal(true) })
  .openapi('WebhookCallbackAccepted');

const beforeField = z.string().min(1).max(100).openapi({
  description: 'runs that ended before this ISO time, or longer ago than this duration (30d); default RUNLOOM_RETENTION',
});
export const ExportQuery = z.strictObject({ before: beforeField.optional() });
export const PruneBody = z.strictObject({ before: beforeField.optional(), dryRun: z.boolean().optional() }).openapi('Prune');
export const Pruned = z
  .object({ pruned: z.number().int().optional(), wouldPrune: z.number().int().optional(), before: z.string() })
  .openapi('Pruned');

export const FollowQuery = EventsQuery.pick({ after: true }).extend({
  token: z.string().max(1000).optional().openapi({ description: 'a follow token, where no Authorization header can be sent' }),
});
export const FollowToken = z.object({ token: z.string(), expiresAt: z.number() }).openapi('FollowToken');
