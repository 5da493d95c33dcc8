/**
 * Durable units inside a reasoning step (issue 14 item 3), in one test process: a Runloom on a
 * SQLite file is closed while its model is answering round 4; a new one on the same file folds
 * the three recorded rounds — answers and tool outcomes — and goes on at round 4. (The crash
 * test in test/crash/ai-crash.test.ts does the same with kill -9, many times.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createRunloom } from '../../src/runloom.js';
import { type ScriptedAnswer, scriptedModel } from './scripted-model.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-durable-ai-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROUNDS = 5;
/** Call k (0-based) asks for one lookup, until the last, which answers. */
const answer = (k: number): ScriptedAnswer =>
  k < ROUNDS ? { tools: [{ name: 'crm_lookup', input: { email: `c${k + 1}@x.io` } }] } : { text: 'all looked up' };

const FLOW = {
  format: 'runloom/v1',
  id: 'lookups',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'ask', type: 'ai', prompt: 'Look up everyone', tools: ['crm.lookup'], output: 'answer' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'ask' },
    { from: 'ask', to: 'done' },
  ],
};

function lookup(calls: string[]) {
  return defineAction({
    name: 'crm.lookup',
    input: z.object({ email: z.string() }),
    run: ({ email }, ctx) => {
      calls.push(ctx.idempotencyKey);
      return { email, found: true };
    },
  });
}

describe('durable reasoning', () => {
  it('a step stopped in round 4 resumes at round 4: recorded answers are not asked again, recorded tool calls not run again', async () => {
    const file = join(dir, 'lookups.db');
    const calls: string[] = [];
    let asked = 0;
    let stuck: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      stuck = resolve;
    });
    // The 4th answer never comes: the process is closed while the model "thinks".
    const slow = scriptedModel(answer);
    const streamed = slow.doStream.bind(slow);
    slow.doStream = async (options) => {
      if (++asked === 4) {
        stuck();
        return new Promise(() => {});
      }
      return streamed(options);
    };
    const first = await createRunloom({ store: file, actions: [lookup(calls)], models: { default: slow } });
    await first.flows.publish(FLOW);
    const { id } = await first.runs.start('lookups', {});
    await reached;
    await first.close();
    expect(calls).toEqual([1, 2, 3].map((r) => `${id}:ask:1:0:${r}:1`));

    const model = scriptedModel((k) => answer(k + 3));
    const second = await createRunloom({ store: file, actions: [lookup(calls)], models: { default: model } });
    const run = await second.runs.wait(id);
    expect(run.status).toBe('completed');
    expect(run.vars.answer).toBe('all looked up');
    // Every tool call ran once, with the key of its round; rounds 4 and 5 ran in the second process.
    expect(calls).toEqual([1, 2, 3, 4, 5].map((r) => `${id}:ask:1:0:${r}:1`));
    // The model was asked for round 4 on: it saw the three recorded rounds' results.
    expect(model.doStreamCalls).toHaveLength(3);
    const prompt = JSON.stringify(model.doStreamCalls[0].prompt);
    for (const email of ['c1@x.io', 'c2@x.io', 'c3@x.io']) expect(prompt).toContain(email);
    const state = await second.runs.state(id);
    expect(state.steps.ask.detail).toMatchObject({ modelCalls: 6, replayedUnits: 6 });
    const toolCalls = (state.steps.ask.detail as { toolCalls: { idempotencyKey: string }[] }).toolCalls;
    expect(toolCalls.map((c) => c.idempotencyKey)).toEqual(calls);
    const units = (await second.runs.events(id)).filter((e) => e.type === 'step.progressed');
    expect(units.map((e) => (e.data as { unit: { kind: string } }).unit.kind)).toEqual([
      ...['model', 'tool', 'model', 'tool', 'model', 'tool', 'model', 'tool', 'model', 'tool'],
      'model',
    ]);
    await second.close();
  });
});
