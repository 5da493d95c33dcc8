/**
 * Prompt routes (F4.5): templates, variables by scope, prompt runs and their messages — a
 * message's answer streams as Server-Sent Events (`text` pieces, then the `task`, then `end`);
 * a client that goes away cancels it (the task ends `cancelled` with the partial text).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { body, json, responses } from '../responses.js';
import { type ApiContext, type ApiRoute, defineRoute, valid } from '../route-table.js';
import {
  LimitQuery,
  MessageSend,
  PromptIdParam,
  PromptList,
  PromptPublish,
  PromptRun,
  PromptRunCreate,
  PromptRunDetail,
  PromptRunIdParam,
  PromptVersion,
  ScopeQuery,
  ValuesSet,
  Variable,
  VariableQuery,
  VariableSet,
  VersionQuery,
} from './prompt-schemas.js';

const place = (c: ApiContext) => ({ workspace: c.get('workspace') });
const prompts = (c: ApiContext) => c.get('deps').runloom.prompts;
const SSE = {
  description: 'the answer as Server-Sent Events',
  content: { 'text/event-stream': { schema: { type: 'string' as const } } },
};

async function detail(c: ApiContext, promptRunId: string) {
  const run = await prompts(c).resume(promptRunId, place(c));
  return { run: await run.info(), tasks: await run.history() };
}

export const promptRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/prompts',
      summary: 'Publish a prompt file as its next immutable version',
      tags: ['prompts'],
      request: { body: body(PromptPublish) },
      responses: responses({ 201: json(PromptVersion, 'the version published') }, [422]),
    }),
    async handler(c) {
      const { prompt } = valid(c, 'json', PromptPublish);
      return c.json(await prompts(c).publish(prompt, { ...place(c), sourceName: 'prompt' }), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/prompts',
      summary: "This workspace's prompts",
      tags: ['prompts'],
      responses: responses({ 200: json(PromptList, 'prompts with their latest version') }),
    }),
    async handler(c) {
      return c.json({ prompts: await prompts(c).list(place(c)) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/prompts/{promptId}',
      summary: 'A prompt version (the latest, or ?version=)',
      tags: ['prompts'],
      request: { params: PromptIdParam, query: VersionQuery },
      responses: responses({ 200: json(PromptVersion, 'the version') }, [404]),
    }),
    async handler(c) {
      const { promptId } = valid(c, 'param', PromptIdParam);
      const { version } = valid(c, 'query', VersionQuery);
      return c.json(await prompts(c).get(promptId, version, place(c)), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'put',
      path: '/v1/prompt-variables',
      summary: 'Set a variable of a scope (user and project scopes name their owner)',
      tags: ['prompts'],
      request: { body: body(VariableSet) },
      responses: responses({ 200: json(Variable, 'the variable as stored') }),
    }),
    async handler(c) {
      const { scope, name, value, owner } = valid(c, 'json', VariableSet);
      return c.json(await prompts(c).setVariable(scope, name, value, { ...place(c), ...(owner ? { owner } : {}) }), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/prompt-variables',
      summary: "A scope's variables (?scope=, and ?owner= for the user and project scopes)",
      tags: ['prompts'],
      request: { query: ScopeQuery },
      responses: responses({ 200: json(z.object({ variables: z.array(Variable) }), 'the variables, by name') }),
    }),
    async handler(c) {
      const { scope, owner } = valid(c, 'query', ScopeQuery);
      return c.json({ variables: await prompts(c).listVariables(scope, { ...place(c), ...(owner ? { owner } : {}) }) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'delete',
      path: '/v1/prompt-variables',
      summary: 'Delete a variable of a scope (?scope=&name=, and ?owner=)',
      tags: ['prompts'],
      request: { query: VariableQuery },
      responses: responses({ 204: { description: 'deleted' } }, [404]),
    }),
    async handler(c) {
      const { scope, name, owner } = valid(c, 'query', VariableQuery);
      await prompts(c).deleteVariable(scope, name, { ...place(c), ...(owner ? { owner } : {}) });
      return c.body(null, 204);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/prompt-runs',
      summary: 'Start a prompt run of a published prompt',
      tags: ['prompts'],
      request: { body: body(PromptRunCreate) },
      responses: responses({ 201: json(PromptRun, 'the run') }, [404]),
    }),
    async handler(c) {
      const { prompt, version, ...options } = valid(c, 'json', PromptRunCreate);
      const run = await prompts(c).start(version === undefined ? prompt : { id: prompt, version }, { ...options, ...place(c) });
      return c.json(await run.info(), 201);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/prompt-runs',
      summary: "This workspace's prompt runs, newest first, with their totals",
      tags: ['prompts'],
      request: { query: LimitQuery },
      responses: responses({ 200: json(z.object({ runs: z.array(PromptRun) }), 'prompt runs') }),
    }),
    async handler(c) {
      const { limit } = valid(c, 'query', LimitQuery);
      return c.json({ runs: await prompts(c).listRuns({ ...place(c), ...(limit ? { limit } : {}) }) }, 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/prompt-runs/{promptRunId}',
      summary: 'A prompt run with its totals and every message (task)',
      tags: ['prompts'],
      request: { params: PromptRunIdParam },
      responses: responses({ 200: json(PromptRunDetail, 'the run and its tasks') }, [404]),
    }),
    async handler(c) {
      const { promptRunId } = valid(c, 'param', PromptRunIdParam);
      return c.json(await detail(c, promptRunId), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/prompt-runs/{promptRunId}/values',
      summary: 'Give a prompt run values from its next message on',
      tags: ['prompts'],
      request: { params: PromptRunIdParam, body: body(ValuesSet) },
      responses: responses({ 200: json(PromptRunDetail, 'the run and its tasks') }, [404]),
    }),
    async handler(c) {
      const { promptRunId } = valid(c, 'param', PromptRunIdParam);
      const { values } = valid(c, 'json', ValuesSet);
      await (await prompts(c).resume(promptRunId, place(c))).setValues(values);
      return c.json(await detail(c, promptRunId), 200);
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/prompt-runs/{promptRunId}/messages',
      summary: 'Send a message; the answer streams as Server-Sent Events',
      description:
        'Events: `open` {promptRunId, seq}, `text` {text} per piece, `task` (the task as stored: usage, credits, status), `end`. ' +
        'Closing the connection cancels the answer: the task ends `cancelled` with the partial text.',
      tags: ['prompts'],
      request: { params: PromptRunIdParam, body: body(MessageSend) },
      responses: responses({ 200: SSE }, [404, 409]),
    }),
    async handler(c) {
      const { promptRunId } = valid(c, 'param', PromptRunIdParam);
      const { text, values } = valid(c, 'json', MessageSend);
      const run = await prompts(c).resume(promptRunId, place(c));
      // Refusals (unknown variable, a message already streaming) are JSON errors, before any stream.
      const reply = await run.send(text, values ? { values } : {});
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => reply.cancel());
        await stream.writeSSE({ event: 'open', data: JSON.stringify({ promptRunId, seq: reply.seq }) });
        try {
          for await (const piece of reply) await stream.writeSSE({ event: 'text', data: JSON.stringify({ text: piece }) });
          await stream.writeSSE({ event: 'task', data: JSON.stringify(await reply.done) });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: { code: 'STREAM_FAILED', message } }) });
        }
        await stream.writeSSE({ event: 'end', data: '{}' });
      });
    },
  }),
];
