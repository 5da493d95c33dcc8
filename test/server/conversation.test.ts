/**
 * A conversation over HTTP and from the CLI with `--server` (issue 14 item 8): the run waits
 * for a message, `POST /v1/runs/{runId}/nodes/{nodeId}/messages` and `runloom runs say` give
 * one, the view shows what the model said last, and bad messages are refused naming what and
 * where. The server's model is the AI SDK's mock model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedModel } from '../ai/scripted-model.js';
import { cli } from '../cli/helpers.js';
import { openServer, type TestServer } from './support.js';

const SLOW = { timeoutMs: 90_000 };
const FLOW = {
  format: 'runloom/v1',
  id: 'desk',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'chat', type: 'ai', prompt: 'Help the person', maxTurns: 4, output: 'chat' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'chat' },
    { from: 'chat', to: 'done' },
  ],
};

let t: TestServer;
beforeAll(async () => {
  const model = scriptedModel((call) => ({ text: `answer ${call + 1}` }));
  t = await openServer({ runloom: { models: { default: model } } });
  await t.runloom.flows.publish(FLOW);
});
afterAll(async () => t?.close());

const waitingForMessage = (s: { reason: string }) => s.reason === 'waiting_for_message';

describe('conversations over HTTP and the CLI', () => {
  it('the API takes messages and shows the reply; the CLI says with --server and ends with --end', async () => {
    const started = await t.call('POST', '/v1/runs', { body: { flowId: 'desk', input: {} } });
    const id = started.body.id as string;
    await t.runloom.runs.wait(id, waitingForMessage);
    const shown = await t.call('GET', `/v1/runs/${id}`);
    expect(shown.body.waitingOn).toEqual([{ nodeId: 'chat', waitingFor: 'message', said: 'answer 1' }]);

    const said = await t.call('POST', `/v1/runs/${id}/nodes/chat/messages`, { body: { text: 'hello', by: 'ada' } });
    expect(said.status).toBe(200);
    await t.runloom.runs.wait(id, (s) => s.reason === 'waiting_for_message' && JSON.stringify(s.pending).includes('answer 2'));
    expect((await t.call('GET', `/v1/runs/${id}`)).body.waitingOn[0].said).toBe('answer 2');

    // Refusals name what and where, and change nothing.
    const wrongNode = await t.call('POST', `/v1/runs/${id}/nodes/start/messages`, { body: { text: 'hi' } });
    expect(wrongNode.status).toBe(409);
    expect(wrongNode.body.error).toMatchObject({ code: 'NOT_WAITING' });
    expect(wrongNode.body.error.message).toContain("node 'start'");
    const empty = await t.call('POST', `/v1/runs/${id}/nodes/chat/messages`, { body: { text: ' ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("a message for 'chat' needs text");
    const noText = await t.call('POST', `/v1/runs/${id}/nodes/chat/messages`, { body: { end: 'yes' } });
    expect(noText.status).toBe(400);

    const cliSaid = await cli(['--server', t.url, 'runs', 'say', id, 'chat', 'and now?'], SLOW);
    expect(cliSaid.code).toBe(3); // the conversation waits for the next message
    expect(cliSaid.stdout).toContain('chat: answer 3');
    expect(cliSaid.stdout).toContain(`runloom runs say ${id} chat "…" (--end ends the conversation)`);
    const nothing = await cli(['--server', t.url, 'runs', 'say', id, 'chat'], SLOW);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("say what to 'chat': give the text, or --end");

    const ended = await cli(['--server', t.url, '--json', 'runs', 'say', id, 'chat', 'bye', '--end'], SLOW);
    expect(ended.code).toBe(0);
    const run = await t.runloom.runs.get(id);
    expect(run.status).toBe('completed');
    expect(run.vars.chat).toMatchObject({ ended: 'person', turns: 3 });
    expect((run.vars.chat as { transcript: unknown[] }).transcript.at(-1)).toEqual({ from: 'person', text: 'bye', by: 'cli' });
  }, 120_000);
});
