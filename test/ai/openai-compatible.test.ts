/**
 * The real provider path: a model configured in runloom.config.yaml as `openai-compatible`,
 * against a small loopback server speaking the chat-completions protocol (SSE streaming, tool
 * calls, usage in the last chunk), so the AI SDK's request building, headers and stream
 * parsing all run. The server is a fake of a third-party service (Ollama, vLLM, llama.cpp).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { pricing } from '../../src/ai/pricing.js';
import { createRunloom } from '../../src/runloom.js';

interface Seen {
  readonly auth: string | undefined;
  readonly body: { model: string; stream: boolean; stream_options?: unknown; messages: unknown[]; tools?: unknown[] };
}

const seen: Seen[] = [];
let server: Server;
let baseURL: string;
const dir = mkdtempSync(join(tmpdir(), 'runloom-oac-'));

const chunk = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'tiny' };

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const piece of req) text += piece;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req));
    seen.push({ auth: req.headers.authorization, body });
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const first = seen.length === 1;
    if (first) {
      const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'crm_lookup', arguments: '{"email":' } };
      res.write(
        chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [call] }, finish_reason: null }] }),
      );
      res.write(
        chunk({
          ...base,
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"ada@x.io"}' } }] }, finish_reason: null },
          ],
        }),
      );
      res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
      res.write(chunk({ ...base, choices: [], usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 } }));
    } else {
      for (const piece of ['{"tier":', '"gold"}']) {
        res.write(chunk({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }));
      }
      res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      res.write(chunk({ ...base, choices: [], usage: { prompt_tokens: 80, completion_tokens: 6, total_tokens: 86 } }));
    }
    res.end('data: [DONE]\n\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an openai-compatible model over real HTTP', () => {
  it('streams, calls a tool, reports usage; the key comes from the env and goes only in the header', async () => {
    const config = join(dir, 'runloom.config.yaml');
    writeFileSync(
      config,
      `default: local
models:
  local:
    provider: openai-compatible
    baseURL: ${baseURL}
    model: tiny
    apiKeyEnv: RUNLOOM_TEST_LOCAL_KEY
    price: { input: 0.5, output: 1.5 }
`,
    );
    process.env.RUNLOOM_TEST_LOCAL_KEY = 'sk-local-test';
    const lookups: string[] = [];
    const lookup = defineAction({
      name: 'crm.lookup',
      description: 'Find a customer',
      input: z.object({ email: z.string() }),
      run: ({ email }, ctx) => {
        lookups.push(ctx.idempotencyKey);
        return { email, tier: 'gold' };
      },
    });
    const runloom = await createRunloom({ store: join(dir, 'r.db'), config, actions: [lookup] });
    try {
      await runloom.flows.publish({
        format: 'runloom/v1',
        id: 'tier',
        nodes: [
          { id: 'start', type: 'start' },
          {
            id: 'ask',
            type: 'ai',
            prompt: 'Tier of {{input.email}}?',
            tools: ['crm.lookup'],
            outputSchema: { type: 'object', properties: { tier: { type: 'string' } }, required: ['tier'] },
            output: 'tier',
          },
          { id: 'done', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'ask' },
          { from: 'ask', to: 'done' },
        ],
      });
      const run = await runloom.runs.wait((await runloom.runs.start('tier', { email: 'ada@x.io' })).id);
      expect(run.status).toBe('completed');
      expect(run.vars.tier).toEqual({ tier: 'gold' });
      expect(lookups).toEqual([`${run.id}:ask:1:0:1:1`]);
      expect(seen).toHaveLength(2);
      expect(seen[0].auth).toBe('Bearer sk-local-test');
      expect(seen[0].body).toMatchObject({ model: 'tiny', stream: true, stream_options: { include_usage: true } });
      expect(JSON.stringify(seen[0].body.tools)).toContain('crm_lookup');
      expect(JSON.stringify(seen[1].body.messages)).toContain('\\"tier\\":\\"gold\\"');
      const p = pricing({ input: 0.5, output: 1.5 });
      const expected = p.credits({ inputTokens: 50, outputTokens: 9 }) + p.credits({ inputTokens: 80, outputTokens: 6 });
      const state = await runloom.runs.state(run.id);
      expect(state.steps.ask.detail).toMatchObject({
        provider: 'openai-compatible',
        modelId: 'tiny',
        tokensIn: 130,
        tokensOut: 15,
        credits: expected,
      });
      expect(run.usage.credits).toBe(expected);
      const log = JSON.stringify(await runloom.runs.events(run.id));
      expect(log).not.toContain('sk-local-test');
    } finally {
      await runloom.close();
      delete process.env.RUNLOOM_TEST_LOCAL_KEY;
    }
  });
});
