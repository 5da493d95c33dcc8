/**
 * Typed, versioned metadata of chats and messages (F4.6). Each version is a zod schema; an
 * older version is upgraded step by step to the current one when read; a write is validated
 * against the version it names (a refusal names the field). A version newer than this code
 * knows is kept verbatim and returned as it is — never dropped, never rewritten.
 */
import { z } from 'zod';
import { RequestError } from '../errors.js';

const Reference = z.strictObject({ kind: z.enum(['flow', 'run', 'promptRun']), id: z.string().min(1) });
const Settings = z.strictObject({
  model: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  systemPrompt: z.string().optional(),
});

const ChatV1 = z.strictObject({
  __version: z.literal(1),
  project: z.string().min(1).optional(),
  flows: z.array(z.string().min(1)).optional(),
  runs: z.array(z.string().min(1)).optional(),
  settings: Settings.optional(),
});
const ChatV2 = z.strictObject({
  __version: z.literal(2),
  project: z.string().min(1).optional(),
  references: z.array(Reference),
  settings: Settings,
});

const ToolCallV1 = z.strictObject({
  id: z.string().min(1),
  tool: z.string().min(1),
  input: z.unknown(),
  output: z.unknown().optional(),
});
const MessageV1 = z.strictObject({
  __version: z.literal(1),
  runs: z.array(z.string().min(1)).optional(),
  toolCalls: z.array(ToolCallV1).optional(),
  state: z.enum(['pending', 'running', 'done', 'failed']).optional(),
});
const MessageV2 = z.strictObject({
  __version: z.literal(2),
  triggeredRuns: z.array(z.strictObject({ runId: z.string().min(1), flowId: z.string().min(1) })),
  toolCalls: z.array(
    z.strictObject({
      id: z.string().min(1),
      tool: z.string().min(1),
      input: z.unknown(),
      result: z.strictObject({ ok: z.boolean(), output: z.unknown().optional(), error: z.string().optional() }).optional(),
    }),
  ),
  execution: z.strictObject({ state: z.enum(['pending', 'running', 'completed', 'failed']), error: z.string().optional() }),
});

export type ChatMetadataV1 = z.infer<typeof ChatV1>;
export type ChatMetadata = z.infer<typeof ChatV2>;
export type MessageMetadataV1 = z.infer<typeof MessageV1>;
export type MessageMetadata = z.infer<typeof MessageV2>;
/** Metadata of a version newer than this code: kept and returned exactly as written. */
export type FutureMetadata = { readonly __version: number; readonly [field: string]: unknown };

interface Versioned<Current> {
  readonly what: string;
  readonly schemas: readonly z.ZodType[];
  /** upgrades[i] takes version i + 1 to version i + 2. */
  readonly upgrades: readonly ((value: never) => unknown)[];
  readonly empty: Current;
}

const chat: Versioned<ChatMetadata> = {
  what: 'chat metadata',
  schemas: [ChatV1, ChatV2],
  upgrades: [
    (v1: ChatMetadataV1): ChatMetadata => ({
      __version: 2,
      ...(v1.project === undefined ? {} : { project: v1.project }),
      references: [
        ...(v1.flows ?? []).map((id) => ({ kind: 'flow' as const, id })),
        ...(v1.runs ?? []).map((id) => ({ kind: 'run' as const, id })),
      ],
      settings: v1.settings ?? {},
    }),
  ],
  empty: { __version: 2, references: [], settings: {} },
};

const message: Versioned<MessageMetadata> = {
  what: 'message metadata',
  schemas: [MessageV1, MessageV2],
  upgrades: [
    (v1: MessageMetadataV1): MessageMetadata => ({
      __version: 2,
      // v1 kept run ids alone: the flow is not known, so it is named by the run.
      triggeredRuns: (v1.runs ?? []).map((runId) => ({ runId, flowId: 'unknown' })),
      toolCalls: (v1.toolCalls ?? []).map(({ output, ...call }) => ({
        ...call,
        ...(output === undefined ? {} : { result: { ok: true, output } }),
      })),
      execution: { state: v1.state === 'done' ? 'completed' : (v1.state ?? 'completed') },
    }),
  ],
  empty: { __version: 2, triggeredRuns: [], toolCalls: [], execution: { state: 'completed' } },
};

export const CHAT_METADATA_VERSION = chat.schemas.length;
export const MESSAGE_METADATA_VERSION = message.schemas.length;

export const checkChatMetadata = (value: unknown, where = 'metadata') => check(chat, value, where);
export const readChatMetadata = (stored: unknown) => read(chat, stored);
export const checkMessageMetadata = (value: unknown, where = 'metadata') => check(message, value, where);
export const readMessageMetadata = (stored: unknown) => read(message, stored);

/** Validates metadata about to be written (absent: the current version, empty); returns what to store. */
function check<C>(kind: Versioned<C>, value: unknown, where: string): unknown {
  if (value === undefined) return kind.empty;
  const version = versionOf(value);
  if (version === 0) {
    throw new RequestError('METADATA_INVALID', `${where}.__version: ${kind.what} must be an object with a whole __version ≥ 1`, {
      details: { field: `${where}.__version` },
    });
  }
  if (version > kind.schemas.length) return value;
  const parsed = kind.schemas[version - 1].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = [where, ...issue.path.map(String)].join('.');
    throw new RequestError('METADATA_INVALID', `${field}: ${issue.message} (${kind.what} version ${version})`, {
      details: { field, version, problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

/** Stored metadata as the current version's type, or verbatim when newer than this code. */
function read<C>(kind: Versioned<C>, stored: unknown): C | FutureMetadata {
  const version = versionOf(stored);
  if (version > kind.schemas.length) return stored as FutureMetadata;
  let value = kind.schemas[version - 1].parse(stored);
  for (let v = version; v < kind.schemas.length; v++) value = (kind.upgrades[v - 1] as (x: unknown) => unknown)(value);
  return value as C;
}

function versionOf(value: unknown): number {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 0;
  const version = (value as { __version?: unknown }).__version;
  return Number.isSafeInteger(version) && (version as number) >= 1 ? (version as number) : 0;
}
