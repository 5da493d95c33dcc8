/**
 * Prompt runs and chats over real HTTP on loopback: a message's answer as Server-Sent Events,
 * refusals as 4xx naming what and where, chat metadata round trips per version, the upgrade
 * v1 → v2, a future version kept verbatim, and a message starting a flow run linked both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServer, type TestServer } from '../server/support.js';
import { linearFlow } from '../support/flows.js';
import { GREET, mockModel } from './mock-model.js';

let t: TestServer;
const mock = mockModel((call) => ({ text: `Hello number ${call + 1}`, usage: { input: 12, output: 3 } }));

beforeAll(async () => {
  t = await openServer({ runloom: { models: { default: { model: mock.model, price: { input: 1, output: 2 } } } } });
});
afterAll(async () => {
  await t?.close();
});

/** Sends a message and reads the SSE stream to its end: the events by name, in order. */
async function sendMessage(runId: string, message: Record<string, unknown>) {
  const response = await fetch(`${t.url}/v1/prompt-runs/${runId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: { event: string; data: unknown }[] = [];
  for (const block of (await response.text()).split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event && data) events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

describe('prompt runs over HTTP', () => {
  it('publishes, starts a run, streams a message and shows the totals', async () => {
    expect((await t.call('POST', '/v1/prompts', { body: { prompt: GREET } })).status).toBe(201);
    expect(
      (await t.call('PUT', '/v1/prompt-variables', { body: { scope: 'workspace', name: 'tone', value: 'warm' } })).status,
    ).toBe(200);
    const created = await t.call('POST', '/v1/prompt-runs', { body: { prompt: 'greet', values: { name: 'Ada' } } });
    expect(created.status).toBe(201);
    const events = await sendMessage(created.body.id, {});
    expect(events.map((e) => e.event)).toEqual(['open', 'text', 'text', 'task', 'end']);
    const text = events.filter((e) => e.event === 'text').map((e) => (e.data as { text: string }).text);
    expect(text.join('')).toBe('Hello number 1');
    expect(events[3].data).toMatchObject({
      status: 'completed',
      tokensIn: 12,
      tokensOut: 3,
      variables: { tone: 'warm', name: 'Ada' },
    });
    const detail = await t.call('GET', `/v1/prompt-runs/${created.body.id}`);
    // 12 × $1/1M + 3 × $2/1M = $0.000018 = 1.8 credits, rounded up per call.
    expect(detail.body.run.totals).toEqual({ tokensIn: 12, tokensOut: 3, credits: 2 });
    expect(detail.body.tasks).toHaveLength(1);
    expect((await t.call('GET', '/v1/prompt-runs')).body.runs.map((r: { id: string }) => r.id)).toContain(created.body.id);
  });

  it('refuses bad input with a 4xx naming what and where, writing nothing', async () => {
    const bad = await t.call('POST', '/v1/prompts', { body: { prompt: GREET.replace('vars.name }}', 'vars.nam }}') } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('PROMPT_INVALID');
    expect(bad.body.error.details.problems[0]).toMatchObject({ path: 'message', code: 'UNKNOWN_VARIABLE' });
    const run = await t.call('POST', '/v1/prompt-runs', { body: { prompt: 'greet' } });
    const refused = await t.call('POST', `/v1/prompt-runs/${run.body.id}/messages`, { body: { values: { age: 3 } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("values.age: the prompt declares no variable 'age'");
    expect((await t.call('GET', `/v1/prompt-runs/${run.body.id}`)).body.tasks).toEqual([]);
    expect((await t.call('POST', '/v1/prompt-runs', { body: { prompt: 'nope' } })).status).toBe(404);
    expect((await t.call('GET', '/v1/prompt-runs/pr_missing')).status).toBe(404);
    expect(
      (await t.call('PUT', '/v1/prompt-variables', { body: { scope: 'user', name: 'tone', value: 'x' } })).body.error.code,
    ).toBe('VARIABLE_OWNER_MISSING');
  });
});

describe('chats over HTTP', () => {
  const v1 = { __version: 1, project: 'crm', flows: ['onboarding'], runs: ['run_1'], settings: { model: 'default' } };
  const v2 = { __version: 2, project: 'crm', references: [{ kind: 'promptRun', id: 'pr_1' }], settings: { temperature: 0.3 } };
  const future = { zeta: true, __version: 7, shape: { unknown: ['to', 'this', 'code'] } };

  it('round-trips each metadata version, upgrades v1 to v2 on read and keeps a future version verbatim', async () => {
    const one = await t.call('POST', '/v1/chats', { body: { title: 'one', metadata: v1 } });
    expect(one.status).toBe(201);
    expect(one.body.metadata).toEqual({
      __version: 2,
      project: 'crm',
      references: [
        { kind: 'flow', id: 'onboarding' },
        { kind: 'run', id: 'run_1' },
      ],
      settings: { model: 'default' },
    });
    const two = await t.call('POST', '/v1/chats', { body: { title: 'two', metadata: v2 } });
    expect(two.body.metadata).toEqual(v2);
    const later = await t.call('POST', '/v1/chats', { body: { title: 'later', metadata: future } });
    expect((await t.call('GET', `/v1/chats/${later.body.id}`)).body.chat.metadata).toEqual(future);
    const raw = await t.runloom.store.chats.get(later.body.id);
    expect(JSON.stringify(raw?.metadata)).toBe(JSON.stringify(future));

    const message = await t.call('POST', `/v1/chats/${two.body.id}/messages`, {
      body: {
        content: 'look up ada',
        metadata: {
          __version: 1,
          runs: ['run_9'],
          toolCalls: [{ id: 'c1', tool: 'crm.lookup', input: { email: 'a@x.io' }, output: { tier: 'gold' } }],
          state: 'done',
        },
      },
    });
    expect(message.status).toBe(201);
    expect(message.body.metadata).toEqual({
      __version: 2,
      triggeredRuns: [{ runId: 'run_9', flowId: 'unknown' }],
      toolCalls: [{ id: 'c1', tool: 'crm.lookup', input: { email: 'a@x.io' }, result: { ok: true, output: { tier: 'gold' } } }],
      execution: { state: 'completed' },
    });
    const kept = await t.call('PUT', `/v1/chats/${two.body.id}/messages/1/metadata`, { body: { metadata: future } });
    expect(kept.body.metadata).toEqual(future);
  });

  it('refuses bad metadata with a 400 naming the field, and changes nothing', async () => {
    const chat = await t.call('POST', '/v1/chats', { body: { title: 'strict', metadata: v2 } });
    const bad = await t.call('PUT', `/v1/chats/${chat.body.id}/metadata`, {
      body: { metadata: { ...v2, references: [{ kind: 'flow', id: 42 }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('METADATA_INVALID');
    expect(bad.body.error.details.field).toBe('metadata.references.0.id');
    expect(bad.body.error.message).toContain('metadata.references.0.id');
    const noVersion = await t.call('POST', '/v1/chats', { body: { metadata: { project: 'x' } } });
    expect(noVersion.body.error.details.field).toBe('metadata.__version');
    const message = await t.call('POST', `/v1/chats/${chat.body.id}/messages`, {
      body: { content: 'x', metadata: { __version: 2, triggeredRuns: [], toolCalls: [], execution: { state: 'sleeping' } } },
    });
    expect(message.status).toBe(400);
    expect(message.body.error.details.field).toBe('metadata.execution.state');
    const after = await t.call('GET', `/v1/chats/${chat.body.id}`);
    expect(after.body.chat.metadata).toEqual(v2);
    expect(after.body.messages).toEqual([]);
  });

  it('starts a flow run from a message, linked both ways, and shows its progress', async () => {
    await t.runloom.flows.publish(linearFlow('note', [{ id: 'wait', type: 'wait', signal: 'go' }]));
    const chat = await t.call('POST', '/v1/chats', { body: { title: 'runs' } });
    await t.call('POST', `/v1/chats/${chat.body.id}/messages`, { body: { content: 'start the note flow' } });
    const started = await t.call('POST', `/v1/chats/${chat.body.id}/messages/1/runs`, {
      body: { flowId: 'note', input: { n: 1 } },
    });
    expect(started.status).toBe(201);
    const [link] = started.body.runs;
    expect(link).toMatchObject({ flowId: 'note', status: 'waiting' });
    expect(started.body.metadata.triggeredRuns).toEqual([{ runId: link.runId, flowId: 'note' }]);
    const run = await t.runloom.runs.state(link.runId);
    expect(run.meta.options?.env).toEqual({ chat: { chatId: chat.body.id, seq: 1 } });
    await t.runloom.runs.signal(link.runId, 'go', {});
    await t.runloom.runs.wait(link.runId);
    expect((await t.call('GET', `/v1/chats/${chat.body.id}`)).body.messages[0].runs[0].status).toBe('completed');
    expect((await t.call('POST', `/v1/chats/${chat.body.id}/messages/9/runs`, { body: { flowId: 'note' } })).status).toBe(404);
  });
});
