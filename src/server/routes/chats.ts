/**
 * Chat routes (F4.6): threads of messages with typed, versioned metadata. Bad metadata is a 400
 * naming the field; metadata of a version newer than this server is kept and returned as is.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';
import {
  Chat,
  ChatCreate,
  ChatDetail,
  ChatIdParam,
  ChatMessage,
  ChatMessageCreate,
  ChatRunStart,
  LimitQuery,
  MessageParam,
  MetadataSet,
} from './prompt-schemas.js';

const place = (c: ApiContext) => ({ workspace: c.get('workspace') });
const chats = (c: ApiContext) => c.get('deps').runloom.chats;

export const chatRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/chats',
      summary: 'Start a chat',
      tags: ['chats'],
      request: { body: body(ChatCreate) },
      responses: responses({ 201: json(Chat, 'the chat') }),
    }),
    async handler(c) {
      const { title, metadata } = valid(c, 'json', ChatCreate);
      return c.json(await chats(c).create({ ...(title === undefined ? {} : { title }), metadata }, place(c)), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/chats',
      summary: "This workspace's chats, most recent first",
      tags: ['chats'],
      request: { query: LimitQuery },
      responses: responses({ 200: json(z.object({ chats: z.array(Chat) }), 'chats') }),
    }),
    async handler(c) {
      const { limit } = valid(c, 'query', LimitQuery);
      return c.json({ chats: await chats(c).list({ ...place(c), ...(limit ? { limit } : {}) }) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/chats/{chatId}',
      summary: 'A chat with its messages (and the progress of the runs they started)',
      tags: ['chats'],
      request: { params: ChatIdParam },
      responses: responses({ 200: json(ChatDetail, 'the chat and its messages') }, [404]),
    }),
    async handler(c) {
      const { chatId } = valid(c, 'param', ChatIdParam);
      return c.json({ chat: await chats(c).get(chatId, place(c)), messages: await chats(c).messages(chatId, place(c)) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'put',
      path: '/v1/chats/{chatId}/metadata',
      summary: "Replace a chat's metadata (validated against its __version)",
      tags: ['chats'],
      request: { params: ChatIdParam, body: body(MetadataSet) },
      responses: responses({ 200: json(Chat, 'the chat') }, [404]),
    }),
    async handler(c) {
      const { chatId } = valid(c, 'param', ChatIdParam);
      const { metadata } = valid(c, 'json', MetadataSet);
      return c.json(await chats(c).setMetadata(chatId, metadata, place(c)), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/chats/{chatId}/messages',
      summary: 'Add a message to a chat',
      tags: ['chats'],
      request: { params: ChatIdParam, body: body(ChatMessageCreate) },
      responses: responses({ 201: json(ChatMessage, 'the message') }, [404]),
    }),
    async handler(c) {
      const { chatId } = valid(c, 'param', ChatIdParam);
      return c.json(await chats(c).addMessage(chatId, valid(c, 'json', ChatMessageCreate), place(c)), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'put',
      path: '/v1/chats/{chatId}/messages/{seq}/metadata',
      summary: "Replace a message's metadata (validated against its __version)",
      tags: ['chats'],
      request: { params: MessageParam, body: body(MetadataSet) },
      responses: responses({ 200: json(ChatMessage, 'the message') }, [404]),
    }),
    async handler(c) {
      const { chatId, seq } = valid(c, 'param', MessageParam);
      const { metadata } = valid(c, 'json', MetadataSet);
      return c.json(await chats(c).setMessageMetadata(chatId, seq, metadata, place(c)), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/chats/{chatId}/messages/{seq}/runs',
      summary: 'Start a flow run from a message (linked both ways)',
      tags: ['chats'],
      request: { params: MessageParam, body: body(ChatRunStart) },
      responses: responses({ 201: json(ChatMessage, 'the message, listing the run') }, [404, 409, 422]),
    }),
    async handler(c) {
      const { chatId, seq } = valid(c, 'param', MessageParam);
      const { flowId, input } = valid(c, 'json', ChatRunStart);
      return c.json(await chats(c).startRun(chatId, seq, flowId, input, place(c)), 201);
    },
  }),
];
