/**
 * Credits are reserved before an ai step starts (its prompt counted with gpt-tokenizer, its
 * answer bounded by maxOutputTokens) and a step that would cross maxCredits is not started:
 * 200 concurrent ai steps in one run, a limit only part of them fit under.
 */

import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { pricing } from '../../src/ai/pricing.js';
import { closeAll, onCommit, openRunloom } from '../runtime/support.js';
import { answerParts } from './scripted-model.js';

afterEach(closeAll);

const PRICE = { input: 1, output: 1 }; // 1 token = 0.1 credit
const LIMIT = 500;

describe('credit reservations', () => {
  it('200 concurrent ai steps: reserved + spent never exceed maxCredits; the run pauses on max_credits', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const model = new MockLanguageModelV3({
      doStream: async () => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        const chunks = answerParts({ text: 'ok', usage: { input: 20, output: 60 } }, 0);
        const stream = simulateReadableStream({ chunks, chunkDelayInMs: 5, initialDelayInMs: 20 }).pipeThrough(
          new TransformStream({ flush: () => void inFlight-- }),
        );
        return { stream: stream as never };
      },
    });
    const seen: { reserved: number; credits: number }[] = [];
    const runloom = await openRunloom('sqlite', [], { models: { default: { model, price: PRICE } } }, (store) =>
      onCommit(store, (checkpoints) => {
        for (const c of checkpoints) seen.push({ reserved: c.state.reserved, credits: c.state.usage.credits });
      }),
    );
    await runloom.flows.publish({
      format: 'runloom/v1',
      id: 'many',
      defaults: { limits: { maxCredits: LIMIT, maxParallel: 200 }, onLimit: { maxCredits: 'pause' } },
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'each',
          type: 'map',
          items: '=input.items',
          concurrency: 200,
          do: { type: 'ai', prompt: 'Rate item {{item}}', maxOutputTokens: 100 },
          output: 'ratings',
        },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each', to: 'done' },
      ],
    });
    const items = Array.from({ length: 200 }, (_, i) => i);
    const started = await runloom.runs.start('many', { items });
    const run = await runloom.runs.wait(started.id, (s) => s.status === 'paused' && s.reserved === 0);
    expect(run.status).toBe('paused');
    expect(run.reason).toBe('max_credits');
    const perCall = pricing(PRICE).credits({ inputTokens: 20, outputTokens: 60 });
    const calls = model.doStreamCalls.length;
    // Only part fit, they ran at once, and the run was charged exactly what they cost.
    expect(calls).toBeGreaterThan(10);
    expect(calls).toBeLessThan(200);
    expect(mostInFlight).toBeGreaterThan(10);
    expect(run.usage.credits).toBe(calls * perCall);
    expect(run.usage.credits).toBeLessThanOrEqual(LIMIT);
    expect(seen.length).toBeGreaterThan(0);
    for (const moment of seen) expect(moment.reserved + moment.credits).toBeLessThanOrEqual(LIMIT);
    expect(Math.max(...seen.map((m) => m.reserved))).toBeGreaterThan(LIMIT / 2);
  });

  it('a step whose estimate would cross maxCredits is not started: no model call, the run fails on max_credits', async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => ({ stream: simulateReadableStream({ chunks: answerParts({ text: 'x' }, 0) }) as never }),
    });
    const runloom = await openRunloom('sqlite', [], { models: { default: { model, price: PRICE } } });
    await runloom.flows.publish({
      format: 'runloom/v1',
      id: 'dear',
      defaults: { limits: { maxCredits: 50 } },
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'ask', type: 'ai', prompt: 'Write an essay', maxOutputTokens: 1000 },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'ask' },
        { from: 'ask', to: 'done' },
      ],
    });
    const run = await runloom.runs.wait((await runloom.runs.start('dear', {})).id);
    expect(run.status).toBe('failed');
    expect(run.reason).toBe('max_credits');
    expect(model.doStreamCalls).toHaveLength(0);
  });
});
