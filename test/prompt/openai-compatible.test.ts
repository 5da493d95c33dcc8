/**
 * Prompt runs on the real provider path: a model configured as `openai-compatible` in
 * runloom.config.yaml, against a loopback chat-completions server — streaming, usage from the
 * provider, and a cancel that closes the HTTP stream mid-answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { type ChatCompletionsServer, startChatCompletionsServer } from '../support/chat-completions-server.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-prompt-oac-'));
let server: ChatCompletionsServer;
let runloom: Runloom;

beforeAll(async () => {
  server = await startChatCompletionsServer((request) =>
    request.messages.at(-1)?.content === 'slow'
      ? { pieces: Array.from({ length: 50 }, (_, i) => `w${i} `), delayMs: 20 }
      : { pieces: ['Hello ', 'Ada', '!'], usage: { prompt: 31, completion: 4 } },
  );
  const config = join(dir, 'runloom.config.yaml');
  writeFileSync(
    config,
    `default: local\nmodels:\n  local:\n    provider: openai-compatible\n    baseURL: ${server.baseURL}\n    model: tiny\n    price: { input: 0.5, output: 1.5 }\n`,
  );
  runloom = await createRunloom({ store: join(dir, 'r.db'), config });
  await runloom.prompts.publish(`
format: runloom/prompt-v1
id: hello
model: local
variables:
  name: { type: string }
system: "Greet people by name."
message: "Say hello to {{ vars.name }}"
`);
});

afterAll(async () => {
  await runloom.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prompt runs through @ai-sdk/openai-compatible over real HTTP', () => {
  it('streams the answer and records the usage the provider reported', async () => {
    const run = await runloom.prompts.start('hello', { values: { name: 'Ada' } });
    const reply = await run.send();
    const pieces: string[] = [];
    for await (const piece of reply) pieces.push(piece);
    expect(pieces.join('')).toBe('Hello Ada!');
    expect(pieces.length).toBeGreaterThan(1);
    const task = await reply.done;
    // 31 × $0.5/1M + 4 × $1.5/1M = $0.0000215 → 2.15 credits, rounded up per call.
    expect(task).toMatchObject({ status: 'completed', model: 'local', tokensIn: 31, tokensOut: 4, credits: 3 });
    expect(task.ttftMs).toBeGreaterThanOrEqual(0);
    expect(server.requests.at(-1)).toMatchObject({
      model: 'tiny',
      stream: true,
      messages: [
        { role: 'system', content: 'Greet people by name.' },
        { role: 'user', content: 'Say hello to Ada' },
      ],
    });
  });

  it('cancels mid-stream: the HTTP stream is dropped and the partial answer kept', async () => {
    const run = await runloom.prompts.start('hello', { values: { name: 'Ada' } });
    const reply = await run.send('slow');
    let text = '';
    for await (const piece of reply) {
      text += piece;
      if (text.length > 10) reply.cancel();
    }
    const task = await reply.done;
    expect(task.status).toBe('cancelled');
    expect(task.output).toBe(text);
    expect(text.split(' ').length).toBeLessThan(50);
    // The server sent no usage before the cancel: the tokens are counted with the tokenizer.
    expect(task.tokensOut).toBeGreaterThan(0);
    expect((await run.info()).totals).toEqual({ tokensIn: task.tokensIn, tokensOut: task.tokensOut, credits: task.credits });
  });
});
