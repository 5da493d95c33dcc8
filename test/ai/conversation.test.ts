/**
 * The conversational strategy with the AI SDK's mock model, through a real Runloom on a SQLite
 * file: the run waits durably for each message, the model ends the conversation (its result
 * checked against outputSchema), the person ends it, maxTurns ends it, and a process reopened
 * on the same file goes on where the conversation was, without asking the model again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { pricing } from '../../src/ai/pricing.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { closeAll, openRunloom, STORE_KINDS } from '../runtime/support.js';
import { type ScriptedAnswer, scriptedModel } from './scripted-model.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-conversation-'));
let n = 0;
const open: Runloom[] = [];
afterEach(async () => {
  for (const runloom of open.splice(0)) await runloom.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRICE = { input: 3, output: 15 };
const credits = (input: number, output: number) => pricing(PRICE).credits({ inputTokens: input, outputTokens: output });

const RESULT = {
  type: 'object',
  properties: { slot: { type: 'string' } },
  required: ['slot'],
  additionalProperties: false,
};

function chatFlow(node: Record<string, unknown> = {}) {
  return {
    format: 'runloom/v1',
    id: 'chat',
    nodes: [
      { id: 'start', type: 'start' },
      {
        id: 'desk',
        type: 'ai',
        system: 'You are the booking desk.',
        prompt: 'Help {{input.name}} move booking {{input.booking}}.',
        tools: ['slots.free'],
        outputSchema: RESULT,
        maxTurns: 5,
        output: 'chat',
        ...node,
      },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'desk' },
      { from: 'desk', to: 'done' },
    ],
  };
}

function slotsAction(effects: string[]) {
  return defineAction({
    name: 'slots.free',
    description: 'Free slots on a day',
    input: z.object({ day: z.string() }),
    cost: 1,
    run: ({ day }, ctx) => {
      effects.push(`${ctx.idempotencyKey} ${day}`);
      return { slots: [`${day} 10:00`, `${day} 15:00`] };
    },
  });
}

async function openChat(file: string, script: readonly ScriptedAnswer[], effects: string[] = []) {
  const model = scriptedModel(script);
  const runloom = await createRunloom({
    store: file,
    actions: [slotsAction(effects)],
    models: { default: { model, price: PRICE } },
  });
  open.push(runloom);
  return { runloom, model, effects };
}

const waitingForMessage = (s: { status: string; reason: string }) => s.status === 'waiting' && s.reason === 'waiting_for_message';

describe('conversational strategy', () => {
  it('waits for each message, uses tools between, and ends when the model calls end_conversation with a valid result', async () => {
    const file = join(dir, `chat-${++n}.db`);
    const { runloom, model, effects } = await openChat(file, [
      { text: 'Hello Ada, which day suits you?', usage: { input: 50, output: 9 } },
      { tools: [{ name: 'slots_free', input: { day: 'Friday' } }], usage: { input: 70, output: 8 } },
      { text: 'Friday 10:00 or 15:00?', usage: { input: 90, output: 7 } },
      // An invalid result is sent back with the problems; the corrected one ends it.
      { tools: [{ name: 'end_conversation', input: { when: 'Friday' } }], usage: { input: 100, output: 6 } },
      {
        text: 'Done: Friday 15:00.',
        tools: [{ name: 'end_conversation', input: { slot: 'Friday 15:00' } }],
        usage: { input: 110, output: 12 },
      },
    ]);
    await runloom.flows.publish(chatFlow());
    const started = await runloom.runs.start('chat', { name: 'Ada', booking: 'B-7' });
    const opened = await runloom.runs.wait(started.id, waitingForMessage);
    expect(opened.waitingOn).toEqual([{ nodeId: 'desk', waitingFor: 'message', said: 'Hello Ada, which day suits you?' }]);
    expect(model.doStreamCalls).toHaveLength(1);
    expect(JSON.stringify(model.doStreamCalls[0].prompt)).toContain('Help Ada move booking B-7.');

    const replied = await runloom.runs.say(started.id, 'desk', 'Friday please', { by: 'ada', reply: true });
    expect(replied.waitingOn[0]).toMatchObject({ waitingFor: 'message', said: 'Friday 10:00 or 15:00?' });
    // One call per answer: the opening was folded from the journal, not asked again.
    expect(model.doStreamCalls).toHaveLength(3);
    expect(JSON.stringify(model.doStreamCalls[1].prompt)).toContain('Hello Ada, which day suits you?');
    expect(JSON.stringify(model.doStreamCalls[1].prompt)).toContain('Friday please');

    await runloom.runs.say(started.id, 'desk', '15:00');
    const run = await runloom.runs.wait(started.id);
    expect(run.status).toBe('completed');
    expect(JSON.stringify(model.doStreamCalls[4].prompt)).toContain('must have required property');
    expect(run.vars.chat).toEqual({
      ended: 'model',
      turns: 3,
      result: { slot: 'Friday 15:00' },
      transcript: [
        { from: 'model', text: 'Hello Ada, which day suits you?' },
        { from: 'person', text: 'Friday please', by: 'ada' },
        { from: 'model', text: 'Friday 10:00 or 15:00?' },
        { from: 'person', text: '15:00' },
        { from: 'model', text: 'Done: Friday 15:00.' },
      ],
    });
    expect(effects).toEqual([`${started.id}:desk:1:0:1:1 Friday`]);
    const modelCredits = credits(50, 9) + credits(70, 8) + credits(90, 7) + credits(100, 6) + credits(110, 12);
    const state = await runloom.runs.state(started.id);
    expect(state.steps.desk.detail).toMatchObject({ strategy: 'conversational', modelCalls: 5, credits: modelCredits + 1 });
    expect(run.usage.credits).toBe(modelCredits + 1);
    // The turns are in the log: every answer, tool call and message, in order.
    const log = await runloom.runs.events(started.id);
    const units = log
      .filter((e) => e.type === 'step.progressed' || e.type === 'message.received')
      .map((e) => (e.type === 'message.received' ? 'message' : (e.data as { unit: { kind: string } }).unit.kind));
    expect(units).toEqual(['model', 'message', 'model', 'tool', 'model', 'message', 'model', 'model']);
    expect(log.filter((e) => e.type === 'step.waiting')).toHaveLength(2);
  });

  it('the person ends it (no model call after), with or without last words', async () => {
    const { runloom, model } = await openChat(join(dir, `chat-${++n}.db`), [{ text: 'Hi, how can I help?' }]);
    await runloom.flows.publish(chatFlow());
    const { id } = await runloom.runs.start('chat', { name: 'Bo', booking: 'B-1' });
    await runloom.runs.wait(id, waitingForMessage);
    await runloom.runs.say(id, 'desk', 'Never mind, bye', { end: true });
    const run = await runloom.runs.wait(id);
    expect(run.vars.chat).toEqual({
      ended: 'person',
      turns: 1,
      transcript: [
        { from: 'model', text: 'Hi, how can I help?' },
        { from: 'person', text: 'Never mind, bye' },
      ],
    });
    expect(model.doStreamCalls).toHaveLength(1);
  });

  it('ends after maxTurns replies; the person may speak first; auto picks conversational from maxTurns', async () => {
    const { runloom, model } = await openChat(join(dir, `chat-${++n}.db`), [{ text: 'One.' }, { text: 'Two.' }]);
    await runloom.flows.publish(
      chatFlow({ tools: undefined, outputSchema: undefined, maxTurns: 2, conversation: { firstTurn: 'person' } }),
    );
    const { id } = await runloom.runs.start('chat', { name: 'Cy', booking: 'B-2' });
    const first = await runloom.runs.wait(id, waitingForMessage);
    expect(first.waitingOn).toEqual([{ nodeId: 'desk', waitingFor: 'message' }]);
    expect(model.doStreamCalls).toHaveLength(0);
    await runloom.runs.say(id, 'desk', 'Hello?');
    await runloom.runs.wait(id, (s) => waitingForMessage(s) && s.eventSeq > 0 && model.doStreamCalls.length === 1);
    await runloom.runs.say(id, 'desk', 'And?');
    const run = await runloom.runs.wait(id);
    expect(run.vars.chat).toMatchObject({ ended: 'max_turns', turns: 2 });
    const state = await runloom.runs.state(id);
    expect(state.steps.desk.detail).toMatchObject({
      strategy: 'conversational',
      strategyReason: 'auto: the node has conversation fields',
    });
    // A message to a conversation that has ended is refused, naming the node.
    await expect(runloom.runs.say(id, 'desk', 'hello?')).rejects.toMatchObject({ code: 'RUN_STATUS' });
  });

  it('a process reopened on the same file goes on where the conversation was, without asking the model again', async () => {
    const file = join(dir, `chat-${++n}.db`);
    const first = await openChat(file, [{ text: 'Which day?' }, { text: 'Friday it is. Anything else?' }]);
    await first.runloom.flows.publish(chatFlow({ tools: undefined }));
    const { id } = await first.runloom.runs.start('chat', { name: 'Di', booking: 'B-3' });
    await first.runloom.runs.wait(id, waitingForMessage);
    await first.runloom.runs.say(id, 'desk', 'Friday', { reply: true });
    await first.runloom.close();
    open.splice(0);

    const second = await openChat(file, [
      { tools: [{ name: 'end_conversation', input: { slot: 'Friday' } }], usage: { input: 30, output: 4 } },
    ]);
    const parked = await second.runloom.runs.get(id);
    expect(parked.waitingOn).toEqual([{ nodeId: 'desk', waitingFor: 'message', said: 'Friday it is. Anything else?' }]);
    await second.runloom.runs.say(id, 'desk', 'No, thanks');
    const run = await second.runloom.runs.wait(id);
    expect(run.vars.chat).toMatchObject({ ended: 'model', turns: 3, result: { slot: 'Friday' } });
    expect(second.model.doStreamCalls).toHaveLength(1);
    const prompt = JSON.stringify(second.model.doStreamCalls[0].prompt);
    for (const line of ['Which day?', 'Friday it is. Anything else?', 'No, thanks']) expect(prompt).toContain(line);
    const state = await second.runloom.runs.state(id);
    // model, message, model, message came from the journal.
    expect(state.steps.desk.detail).toMatchObject({ modelCalls: 3, replayedUnits: 4 });
  });
});

describe.each(STORE_KINDS)('a conversation on the %s store', (kind) => {
  afterEach(closeAll);

  it('waits, takes messages, runs its tool once per call and ends', async () => {
    const effects: string[] = [];
    const model = scriptedModel([
      { text: 'Which day?' },
      { tools: [{ name: 'slots_free', input: { day: 'Mon' } }] },
      { text: 'Mon 10:00?' },
      { tools: [{ name: 'end_conversation', input: { slot: 'Mon 10:00' } }] },
    ]);
    const runloom = await openRunloom(kind, [slotsAction(effects)], { models: { default: model } });
    await runloom.flows.publish(chatFlow());
    const { id } = await runloom.runs.start('chat', { name: 'Ed', booking: 'B-9' });
    await runloom.runs.wait(id, waitingForMessage);
    expect((await runloom.runs.say(id, 'desk', 'Monday', { reply: true })).waitingOn[0]).toMatchObject({ said: 'Mon 10:00?' });
    await runloom.runs.say(id, 'desk', 'yes');
    const run = await runloom.runs.wait(id);
    expect(run.vars.chat).toMatchObject({ ended: 'model', turns: 3, result: { slot: 'Mon 10:00' } });
    expect(effects).toEqual([`${id}:desk:1:0:1:1 Mon`]);
    expect(model.doStreamCalls).toHaveLength(4);
  });
});
