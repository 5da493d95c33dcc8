/**
 * The ai executor with the AI SDK's mock model, through a real Runloom on a SQLite file:
 * tool loops, structured output, tool errors, maxToolRounds, and exact credit accounting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { pricing } from '../../src/ai/pricing.js';
import { closeAll, openRunloom } from '../runtime/support.js';
import { type ScriptedAnswer, scriptedModel } from './scripted-model.js';

afterEach(closeAll);

const PRICE = { input: 3, output: 15 };
const credits = (input: number, output: number) => pricing(PRICE).credits({ inputTokens: input, outputTokens: output });

function lookupAction(effects: string[], fail?: (email: string) => boolean) {
  return defineAction({
    name: 'crm.lookup',
    description: 'Find a customer by email',
    input: z.object({ email: z.string() }),
    cost: 2,
    run: ({ email }, ctx) => {
      if (fail?.(email)) throw new Error(`no customer ${email}`);
      effects.push(`${ctx.idempotencyKey} ${email}`);
      return { email, tier: email.startsWith('a') ? 'gold' : 'basic' };
    },
  });
}

function aiFlow(node: Record<string, unknown>, defaults: Record<string, unknown> = {}) {
  return {
    format: 'runloom/v1',
    id: 'ask',
    defaults,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'ask', type: 'ai', prompt: 'Tiers of {{input.emails}}?', output: 'answer', ...node },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'ask' },
      { from: 'ask', to: 'done' },
    ],
  };
}

async function runWith(script: readonly ScriptedAnswer[], node: Record<string, unknown>, fail?: (email: string) => boolean) {
  const effects: string[] = [];
  const model = scriptedModel(script);
  const runloom = await openRunloom('sqlite', [lookupAction(effects, fail)], { models: { default: { model, price: PRICE } } });
  await runloom.flows.publish(aiFlow(node));
  const started = await runloom.runs.start('ask', { emails: ['ada@x.io', 'bob@x.io'] });
  const run = await runloom.runs.wait(started.id);
  const state = await runloom.runs.state(run.id);
  return { run, state, effects, model, events: await runloom.runs.events(run.id) };
}

const SCHEMA = {
  type: 'object',
  properties: { gold: { type: 'array', items: { type: 'string' } } },
  required: ['gold'],
  additionalProperties: false,
};

describe('reasoning strategy', () => {
  it('loops over tools until a final answer that satisfies outputSchema; keys per round and call; exact credits', async () => {
    const { run, state, effects, model } = await runWith(
      [
        {
          tools: [
            { name: 'crm_lookup', input: { email: 'ada@x.io' } },
            { name: 'crm_lookup', input: { email: 'bob@x.io' } },
          ],
          usage: { input: 120, output: 30 },
        },
        {
          text: 'One more check.',
          tools: [{ name: 'crm_lookup', input: { email: 'ada@x.io' } }],
          usage: { input: 200, output: 20 },
        },
        { text: '```json\n{"gold":["ada@x.io"]}\n```', usage: { input: 260, output: 12 } },
      ],
      { tools: ['crm.lookup'], outputSchema: SCHEMA },
    );
    expect(run.status).toBe('completed');
    expect(run.vars.answer).toEqual({ gold: ['ada@x.io'] });
    expect(effects).toEqual([
      `${run.id}:ask:1:0:1:1 ada@x.io`,
      `${run.id}:ask:1:0:1:2 bob@x.io`,
      `${run.id}:ask:1:0:2:1 ada@x.io`,
    ]);
    // The model saw the tool results and the schema.
    const third = model.doStreamCalls[2].prompt;
    expect(JSON.stringify(third)).toContain('"tier":"gold"');
    expect(third[0]).toMatchObject({ role: 'system' });
    expect((third[0] as { content: string }).content).toContain('"required":["gold"]');
    const modelCredits = credits(120, 30) + credits(200, 20) + credits(260, 12);
    const detail = state.steps.ask.detail as Record<string, unknown>;
    expect(detail).toMatchObject({
      strategy: 'reasoning',
      strategyReason: 'auto: the node has tools',
      model: 'default',
      modelCalls: 3,
      tokensIn: 580,
      tokensOut: 62,
      credits: modelCredits + 3 * 2,
    });
    expect(detail.ttftMs).toBeGreaterThanOrEqual(0);
    expect(detail.toolCalls).toHaveLength(3);
    expect(run.usage.credits).toBe(modelCredits + 6);
  });

  it('sends an invalid answer back with the problems, bounded by maxOutputRetries', async () => {
    const ok = await runWith([{ text: 'gold: ada' }, { text: '{"gold":"ada"}' }, { text: '{"gold":["ada"]}' }], {
      outputSchema: SCHEMA,
    });
    expect(ok.run.status).toBe('completed');
    expect(ok.run.vars.answer).toEqual({ gold: ['ada'] });
    const repair = JSON.stringify(ok.model.doStreamCalls[2].prompt);
    expect(repair).toContain('That answer is not valid: /gold must be array');
    expect(JSON.stringify(ok.model.doStreamCalls[1].prompt)).toContain('not JSON');

    const bad = await runWith([{ text: 'no' }, { text: '{"gold":1}' }], { outputSchema: SCHEMA, maxOutputRetries: 1 });
    expect(bad.run.status).toBe('failed');
    expect(bad.run.error).toMatchObject({ code: 'AI_OUTPUT_INVALID' });
    expect(bad.run.error?.message).toMatch(/does not satisfy outputSchema after 2 tries: \/gold must be array/);
    // The two calls were paid for, failed or not.
    expect(bad.run.usage.credits).toBe(2 * credits(10, 5));
    const failed = bad.events.find((e) => e.type === 'step.failed');
    expect(failed?.data).toMatchObject({ cost: 2 * credits(10, 5), detail: { modelCalls: 2 } });
  });

  it('a failing or unknown tool is an answer for the model, not a failure of the step', async () => {
    const { run, state, model } = await runWith(
      [
        {
          tools: [
            { name: 'crm_lookup', input: { email: 'zed@x.io' } },
            { name: 'crm_delete', input: {} },
            { name: 'crm_lookup', input: { mail: 1 } },
          ],
        },
        { text: 'nobody found' },
      ],
      { tools: ['crm.lookup'] },
      (email) => email === 'zed@x.io',
    );
    expect(run.status).toBe('completed');
    expect(run.vars.answer).toBe('nobody found');
    const results = JSON.stringify(model.doStreamCalls[1].prompt);
    expect(results).toContain('no customer zed@x.io');
    expect(results).toContain("there is no tool named 'crm_delete'");
    const calls = (state.steps.ask.detail as { toolCalls: { ok: boolean; tool: string }[] }).toolCalls;
    expect(calls.map((c) => [c.tool, c.ok])).toEqual([
      ['crm.lookup', false],
      ['crm_delete', false],
      ['crm.lookup', false],
    ]);
  });

  it('fails with AI_MAX_TOOL_ROUNDS when the model still asks for tools after maxToolRounds', async () => {
    const again = { tools: [{ name: 'crm_lookup', input: { email: 'ada@x.io' } }] };
    const { run, effects, model } = await runWith([again, again, again], { tools: ['crm.lookup'], maxToolRounds: 2 });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'AI_MAX_TOOL_ROUNDS' });
    expect(run.error?.message).toMatch(/still asked for tools after 2 rounds/);
    expect(effects).toHaveLength(2);
    expect(model.doStreamCalls).toHaveLength(3);
    expect(run.usage.credits).toBe(3 * credits(10, 5) + 2 * 2);
  });

  it('counts tokens with gpt-tokenizer when the provider reports no usage, and says so', async () => {
    const { state } = await runWith([{ text: 'hello there', usage: null }], {});
    expect(state.steps.ask.detail).toMatchObject({ usageEstimated: true, tokensOut: 2 });
    expect((state.steps.ask.detail as { tokensIn: number }).tokensIn).toBeGreaterThan(5);
  });
});
