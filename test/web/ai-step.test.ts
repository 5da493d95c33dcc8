/**
 * An AI step's account in the step panel, in a real browser against a real `runloom serve` whose
 * models replay the AI examples' cassettes (offline): the panel shows how the step was run
 * (strategy and why), by which model, and what it cost (calls, tokens, credits, first token,
 * tool calls), as the step's events carry them.
 */
import { describe, expect, it } from 'vitest';
import { exampleSession } from './support.js';

const session = exampleSession('ai-reasoning.yaml');
const pages = session.pages;

describe('an AI step in the step panel', () => {
  it('shows its strategy and why, its model, calls, tokens, credits, first token and tool calls', async () => {
    const served = session.served();
    const run = await served.post('/v1/runs', { flowId: 'ai-reasoning', input: {} });
    const page = await pages.open(`/runs/${run.id}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('completed');
    await page.getByLabel('Node to inspect').selectOption('answer');
    const usage = page.getByTestId('step-usage');
    await expect.poll(() => usage.textContent()).toContain('strategy reasoning');
    const text = (await usage.textContent()) as string;
    expect(text).toMatch(/strategy reasoning \(.+\)/);
    expect(text).toContain('model order-desk');
    expect(text).toContain('2 model calls');
    expect(text).toMatch(/\d+ tokens in \/ \d+ out/);
    expect(text).toMatch(/\d+ credits/);
    expect(text).toMatch(/first token \d+ ms/);
    expect(text).toContain('1 tool call');
    // The figures are the step's own, as the API gives them.
    const completed = (await served.get(`/v1/runs/${run.id}/events?after=0&limit=100`)).events.find(
      (e: { type: string; nodeId?: string }) => e.type === 'step.completed' && e.nodeId === 'answer',
    );
    const detail = completed.data.detail;
    expect(text).toContain(`${detail.tokensIn} tokens in / ${detail.tokensOut} out`);
    expect(text).toContain(`${detail.credits} credits`);
  });
});
