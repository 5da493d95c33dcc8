/**
 * The real provider path: a model configured in runloom.config.yaml as `openai-compatible`,
 * against a small loopback server speaking the chat-completions protocol (SSE streaming, tool
 * calls, usage in the last chunk), so the AI SDK's request building, headers and stream
 * parsing all run. The server is a fake of a third-party service (Ollama, vLLM, llama.cpp).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricing } from '../../src/ai/pricing.js';
import { createRunloom } from '../../src/runloom.js';
import { type ChatServer, startChatServer } from '../support/chat-server.js';
import { lookupAction, tierFlow } from './tier-flow.js';

let server: ChatServer;
const dir = mkdtempSync(join(tmpdir(), 'runloom-oac-'));

beforeAll(async () => {
  server = await startChatServer((_, index) =>
    index === 0
      ? { toolCalls: [{ name: 'crm_lookup', arguments: { email: 'ada@x.io' } }], usage: { prompt: 50, completion: 9 } }
      : { text: ['{"tier":', '"gold"}'], usage: { prompt: 80, completion: 6 } },
  );
});

afterAll(async () => {
  await server.close();
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
    baseURL: ${server.baseURL}
    model: tiny
    apiKeyEnv: RUNLOOM_TEST_LOCAL_KEY
    price: { input: 0.5, output: 1.5 }
`,
    );
    process.env.RUNLOOM_TEST_LOCAL_KEY = 'sk-local-test';
    const lookups: string[] = [];
    const runloom = await createRunloom({ store: join(dir, 'r.db'), config, actions: [lookupAction(lookups)] });
    try {
      await runloom.flows.publish(tierFlow());
      const run = await runloom.runs.wait((await runloom.runs.start('tier', { email: 'ada@x.io' })).id);
      expect(run.status).toBe('completed');
      expect(run.vars.tier).toEqual({ tier: 'gold' });
      expect(lookups).toEqual([`${run.id}:ask:1:0:1:1`]);
      const seen = server.requests;
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
