/**
 * `runloom.chats` (F4.6): threads of messages, each chat and message with typed, versioned
 * metadata (see metadata.ts). A message can start a flow run: the run carries the message in its
 * options (`env.chat`), the message lists the run in its metadata, and reading the chat shows
 * each such run's progress.
 */
import { randomUUID } from 'node:crypto';
import type { RunsApi } from '../api/runs.js';
import { notFound, RequestError } from '../errors.js';
import { DEFAULT_WORKSPACE } from '../flow/flow-key.js';
import type { ChatMessageRow, ChatRecords, ChatRow } from '../store/prompt-records.js';
import {
  type ChatMetadata,
  checkChatMetadata,
  checkMessageMetadata,
  type FutureMetadata,
  MESSAGE_METADATA_VERSION,
  type MessageMetadata,
  readChatMetadata,
  readMessageMetadata,
} from './metadata.js';

export interface Placement {
  readonly workspace?: string;
}

export interface MessageView {
  readonly seq: number;
  readonly role: ChatMessageRow['role'];
  readonly content: string;
  readonly metadata: MessageMetadata | FutureMetadata;
  readonly createdAt: number;
  /** The flow runs the message started, with their status now. */
  readonly runs: readonly { readonly runId: string; readonly flowId: string; readonly status: string }[];
}

export interface ChatView {
  readonly id: string;
  readonly workspace: string;
  readonly title: string;
  readonly metadata: ChatMetadata | FutureMetadata;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewMessage {
  readonly role?: ChatMessageRow['role'];
  readonly content: string;
  readonly metadata?: unknown;
}

export interface ChatsApi {
  create(chat: { title?: string; metadata?: unknown }, place?: Placement): Promise<ChatView>;
  get(chatId: string, place?: Placement): Promise<ChatView>;
  list(place?: Placement & { limit?: number }): Promise<ChatView[]>;
  setMetadata(chatId: string, metadata: unknown, place?: Placement): Promise<ChatView>;
  messages(chatId: string, place?: Placement): Promise<MessageView[]>;
  addMessage(chatId: string, message: NewMessage, place?: Placement): Promise<MessageView>;
  setMessageMetadata(chatId: string, seq: number, metadata: unknown, place?: Placement): Promise<MessageView>;
  /** Starts a flow run from a message, linked both ways. */
  startRun(chatId: string, seq: number, flowId: string, input?: unknown, place?: Placement): Promise<MessageView>;
}

export function createChatsApi(records: ChatRecords, runs: RunsApi, now: () => number): ChatsApi {
  const chatIn = async (chatId: string, place?: Placement): Promise<ChatRow> => {
    const row = await records.get(chatId);
    if (!row || row.workspace !== (place?.workspace ?? DEFAULT_WORKSPACE)) throw notFound('chat', chatId);
    return row;
  };
  const chatView = (row: ChatRow): ChatView => ({ ...row, metadata: readChatMetadata(row.metadata) });
  const messageView = async (row: ChatMessageRow): Promise<MessageView> => {
    const metadata = readMessageMetadata(row.metadata);
    const triggered = metadata.__version === MESSAGE_METADATA_VERSION ? (metadata as MessageMetadata).triggeredRuns : [];
    const statuses = await Promise.all(
      triggered.map(async ({ runId, flowId }) => ({
        runId,
        flowId,
        status: await runs.get(runId).then(
          (r) => r.status,
          () => 'deleted',
        ),
      })),
    );
    return { seq: row.seq, role: row.role, content: row.content, metadata, createdAt: row.createdAt, runs: statuses };
  };
  const messageIn = async (chatId: string, seq: number): Promise<ChatMessageRow> => {
    const found = (await records.listMessages(chatId)).find((m) => m.seq === seq);
    if (!found) throw notFound('chat message', `${chatId}#${seq}`);
    return found;
  };

  return {
    async create(chat, place) {
      const at = now();
      const row: ChatRow = {
        id: `chat_${randomUUID()}`,
        workspace: place?.workspace ?? DEFAULT_WORKSPACE,
        title: chat.title ?? '',
        metadata: checkChatMetadata(chat.metadata),
        createdAt: at,
        updatedAt: at,
      };
      await records.create(row);
      return chatView(row);
    },
    get: async (chatId, place) => chatView(await chatIn(chatId, place)),
    async list(place) {
      const rows = await records.list(place?.workspace ?? DEFAULT_WORKSPACE, Math.min(Math.max(place?.limit ?? 50, 1), 500));
      return rows.map(chatView);
    },
    async setMetadata(chatId, metadata, place) {
      await chatIn(chatId, place);
      const checked = checkChatMetadata(metadata);
      await records.setMetadata(chatId, checked, now());
      return chatView(await chatIn(chatId, place));
    },
    async messages(chatId, place) {
      await chatIn(chatId, place);
      return Promise.all((await records.listMessages(chatId)).map(messageView));
    },
    async addMessage(chatId, message, place) {
      await chatIn(chatId, place);
      if (typeof message.content !== 'string') throw new RequestError('INPUT_INVALID', 'content: a message needs its text');
      const row = {
        chatId,
        role: message.role ?? 'user',
        content: message.content,
        metadata: checkMessageMetadata(message.metadata),
        createdAt: now(),
      };
      const seq = await records.addMessage(row);
      return messageView({ ...row, seq });
    },
    async setMessageMetadata(chatId, seq, metadata, place) {
      await chatIn(chatId, place);
      const checked = checkMessageMetadata(metadata);
      if (!(await records.setMessageMetadata(chatId, seq, checked))) throw notFound('chat message', `${chatId}#${seq}`);
      return messageView(await messageIn(chatId, seq));
    },
    async startRun(chatId, seq, flowId, input, place) {
      const chat = await chatIn(chatId, place);
      const metadata = readMessageMetadata((await messageIn(chatId, seq)).metadata);
      if (metadata.__version !== MESSAGE_METADATA_VERSION) {
        throw new RequestError(
          'CONFLICT',
          `message ${seq} has metadata of version ${metadata.__version}, newer than this Runloom: not changed`,
        );
      }
      const run = await runs.start(flowId, input ?? {}, { env: { chat: { chatId, seq } } }, { workspace: chat.workspace });
      const current = metadata as MessageMetadata;
      const linked: MessageMetadata = { ...current, triggeredRuns: [...current.triggeredRuns, { runId: run.id, flowId }] };
      await records.setMessageMetadata(chatId, seq, linked);
      return messageView(await messageIn(chatId, seq));
    },
  };
}
