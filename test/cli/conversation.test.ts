/**
 * `runloom run examples/ai-conversation.yaml` and `runloom runs say` on a local store, each a
 * process of its own, as a user runs them. The model is configured in runloom.config.yaml as an
 * openai-compatible server on loopback speaking chat completions (a fake of Ollama or vLLM):
 * the desk lists slots, and once the patient names a day it ends the conversation with the slot.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, example, shown, tempDir, writeFile } from './helpers.js';

const SLOW = { timeoutMs: 90_000 };
const files = tempDir('runloom-cli-conversation-');
let server: Server;
let requests = 0;

const chunk = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'desk' };

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let text = '';
    for await (const piece of req) text += piece;
    requests++;
    const { messages } = JSON.parse(text) as { messages: { role: string; content: unknown }[] };
    const last = messages.at(-1);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (last?.role === 'user' && String(last.content).includes('Tuesday')) {
      const call = {
        index: 0,
        id: 'call_1',
        type: 'function',
        function: { name: 'end_conversation', arguments: '{"slot":"Tue 14:00"}' },
      };
      res.write(
        chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [call] }, finish_reason: null }] }),
      );
      res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
    } else {
      const reply = 'Hello! Mon 9:00, Tue 14:00 or Thu 11:30?';
      res.write(chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: reply }, finish_reason: null }] }));
      res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    }
    res.write(chunk({ ...base, choices: [], usage: { prompt_tokens: 40, completion_tokens: 10, total_tokens: 50 } }));
    res.end('data: [DONE]\n\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  writeFile(
    files.path('runloom.config.yaml'),
    `default: booking-desk\nmodels:\n  booking-desk: { provider: openai-compatible, baseURL: "${url}", model: desk }\n`,
  );
});
afterAll(() => {
  server.close();
  files.cleanup();
});

describe('runloom runs say (local store)', () => {
  it('run waits for the patient (exit 3, the desk’s words shown); say continues it; a day agreed ends it (exit 0)', async () => {
    const cwd = files.dir;
    const run = await cli(['run', example('ai-conversation.yaml'), '--input', 'name=Grace'], { ...SLOW, cwd });
    expect(run.code, shown(run)).toBe(3);
    expect(run.stdout).toContain('desk: Hello! Mon 9:00, Tue 14:00 or Thu 11:30?');
    const runId = /run (run_\S+):/.exec(run.stdout)?.[1] as string;
    expect(run.stdout).toContain(`runloom runs say ${runId} desk "…"`);

    const again = await cli(['runs', 'say', runId, 'desk', 'Which days do you have?'], { ...SLOW, cwd });
    expect(again.code, shown(again)).toBe(3);
    expect(again.stdout).toContain('message.received');
    expect(again.stdout).toContain('desk: Hello! Mon 9:00, Tue 14:00 or Thu 11:30?');
    const wrong = await cli(['runs', 'say', runId, 'start', 'hi'], { ...SLOW, cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`node 'start' of run ${runId} is not waiting for a message`);

    const done = await cli(['--json', 'runs', 'say', runId, 'desk', 'Tuesday afternoon'], { ...SLOW, cwd });
    expect(done.code, shown(done)).toBe(0);
    const summary = JSON.parse(done.stdout.trim().split('\n').at(-1) as string);
    expect(summary.run.output).toEqual({ slot: 'Tue 14:00', ended: 'model', turns: 3 });
    expect(requests).toBe(3); // one per answer: nothing asked twice across the three processes
  }, 180_000);
});
