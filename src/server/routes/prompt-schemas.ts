/** The zod schemas of the prompt-run and chat routes (F4.5, F4.6): they validate and document. */
import { z } from '@hono/zod-openapi';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const idParam = (name: string, what: string) =>
  z
    .string()
    .regex(ID, `${what}: letters, digits, _ . : -`)
    .openapi({ param: { name, in: 'path' } });

const Values = z.record(z.string(), z.unknown());

export const PromptIdParam = z.object({ promptId: idParam('promptId', 'a prompt id') });
export const PromptRunIdParam = z.object({ promptRunId: idParam('promptRunId', 'a prompt run id') });
export const ChatIdParam = z.object({ chatId: idParam('chatId', 'a chat id') });
export const MessageParam = ChatIdParam.extend({
  seq: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .openapi({ param: { name: 'seq', in: 'path' }, type: 'integer' }),
});
export const Scope = z.enum(['user', 'workspace', 'project']);
const VariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name: letters, digits and _');
const Owner = z.string().min(1).max(200).optional();
/** Which variables: a scope, and its owner (the user or project id; none for the workspace scope). */
export const ScopeQuery = z.object({ scope: Scope, owner: Owner });
export const VariableQuery = ScopeQuery.extend({ name: VariableName });
export const VersionQuery = z.object({ version: z.coerce.number().int().min(1).max(2_147_483_647).optional() });
export const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional() });

export const PromptPublish = z
  .strictObject({ prompt: z.union([z.string().min(1), z.record(z.string(), z.unknown())]) })
  .openapi('PromptPublish', { description: 'a runloom/prompt-v1 file: its text (YAML or JSON) or the object' });
export const PromptVersion = z
  .object({ promptId: z.string(), version: z.number(), definition: z.record(z.string(), z.unknown()), createdAt: z.number() })
  .openapi('PromptVersion');
export const PromptList = z.object({
  prompts: z.array(z.object({ promptId: z.string(), latestVersion: z.number(), updatedAt: z.number() })),
});

export const VariableSet = z.strictObject({ scope: Scope, owner: Owner, name: VariableName, value: z.unknown() });
export const Variable = z
  .object({ scope: Scope, owner: z.string(), name: z.string(), value: z.unknown(), updatedAt: z.number() })
  .openapi('PromptVariable');

export const PromptRunCreate = z
  .strictObject({
    prompt: z.string().regex(ID, 'a prompt id: letters, digits, _ . : -'),
    version: z.number().int().min(1).optional(),
    values: Values.optional(),
    user: z.string().min(1).max(200).optional(),
    project: z.string().min(1).max(200).optional(),
  })
  .openapi('PromptRunCreate');
const Usage = z.object({ tokensIn: z.number(), tokensOut: z.number(), credits: z.number() });
export const PromptRun = z
  .object({
    id: z.string(),
    promptId: z.string(),
    promptVersion: z.number(),
    user: z.string().optional(),
    project: z.string().optional(),
    values: Values,
    tasks: z.number(),
    totals: Usage,
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .openapi('PromptRun');
export const PromptTask = Usage.extend({
  seq: z.number(),
  model: z.string(),
  message: z.string(),
  system: z.string().optional(),
  variables: Values,
  status: z.enum(['streaming', 'completed', 'failed', 'cancelled']),
  output: z.string().optional(),
  ttftMs: z.number().optional(),
  durationMs: z.number().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
}).openapi('PromptTask');
export const PromptRunDetail = z.object({ run: PromptRun, tasks: z.array(PromptTask) });
export const MessageSend = z
  .strictObject({ text: z.string().min(1).max(200_000).optional(), values: Values.optional() })
  .openapi('PromptMessage', { description: 'the text to send (absent: the prompt’s message template), values from now on' });
export const ValuesSet = z.strictObject({ values: Values });

export const ChatCreate = z.strictObject({ title: z.string().max(500).optional(), metadata: z.unknown().optional() });
export const Chat = z
  .object({
    id: z.string(),
    title: z.string(),
    metadata: z.unknown(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .openapi('Chat');
export const ChatMessage = z
  .object({
    seq: z.number(),
    role: z.enum(['user', 'assistant', 'system']),
    content: z.string(),
    metadata: z.unknown(),
    createdAt: z.number(),
    runs: z.array(z.object({ runId: z.string(), flowId: z.string(), status: z.string() })),
  })
  .openapi('ChatMessage');
export const ChatDetail = z.object({ chat: Chat, messages: z.array(ChatMessage) });
export const MetadataSet = z.strictObject({ metadata: z.unknown() });
export const ChatMessageCreate = z.strictObject({
  role: z.enum(['user', 'assistant', 'system']).optional(),
  content: z.string().max(200_000),
  metadata: z.unknown().optional(),
});
export const ChatRunStart = z.strictObject({
  flowId: z.string().regex(ID, 'a flow id: letters, digits, _ . : -'),
  input: z.unknown().optional(),
});
