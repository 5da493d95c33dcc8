/**
 * A conversational AI step answered from the web UI, in a real browser against a real
 * `runloom serve` whose booking desk replays examples/cassettes/ai-conversation.json (offline):
 * the run page shows the conversation so far and a box; the person's messages and the desk's
 * replies appear as the run's live events bring them, and the run completes with the slot agreed.
 * The People inbox answers the same way; the API's refusals are shown with their message.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { exampleSession, SCREENSHOTS } from './support.js';

const session = exampleSession('ai-conversation.yaml');
const pages = session.pages;
const served = () => session.served();

/** The page follows a run on a host shared with other tests: a little patience before a verdict. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });

const OPENING = 'Hello Grace! We have Mon 9:00, Tue 14:00 and Thu 11:30 open. Which suits you?';
const OFFER = 'Tuesday at 14:00 is open. Shall I book it for you?';

async function waitingRun(): Promise<string> {
  const run = await served().post('/v1/runs', { flowId: 'ai-conversation', input: { name: 'Grace' } });
  await poll(async () => (await served().get(`/v1/runs/${run.id}`)).waitingOn[0]?.said).toBe(OPENING);
  return run.id;
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Your message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

const lines = (page: Page) => page.getByTestId('transcript-desk').locator('li').allTextContents();

describe('a conversation answered from the web UI', () => {
  it('sends both messages from the run page, shows the replies live, and the run completes with the slot agreed', async () => {
    const runId = await waitingRun();
    const page = await pages.open(`/runs/${runId}`);
    await poll(() => lines(page)).toEqual([`desk: ${OPENING}`]);
    await expect(page.getByTestId('waiting-desk').textContent()).resolves.toContain('waits for message');

    await say(page, 'Tuesday afternoon would suit me');
    await poll(() => lines(page)).toEqual([`desk: ${OPENING}`, 'you: Tuesday afternoon would suit me', `desk: ${OFFER}`]);
    // The box is emptied for the next message once the API took this one.
    expect(await page.getByLabel('Your message').inputValue()).toBe('');
    await page.getByTestId('conversation-desk').screenshot({ path: join(SCREENSHOTS, 'conversation.png') });

    await say(page, 'Yes, 14:00 is fine');
    await poll(() => page.getByTestId('run-status').textContent()).toBe('completed');
    await poll(() => page.getByTestId('conversation-desk').count()).toBe(0);
    const vars = JSON.parse((await page.getByTestId('vars').textContent()) as string);
    expect(vars.chat.result).toEqual({ slot: 'Tue 14:00' });
    expect(vars.chat.ended).toBe('model');
    const run = await served().get(`/v1/runs/${runId}`);
    expect(run.output).toEqual({ slot: 'Tue 14:00', ended: 'model', turns: 3 });
  });

  it("shows the API's refusal of a message too long with its message, and the box still works", async () => {
    const runId = await waitingRun();
    const page = await pages.open(`/runs/${runId}`);
    await poll(() => lines(page)).toEqual([`desk: ${OPENING}`]);
    await say(page, 'x'.repeat(100_001));
    await poll(() => page.getByTestId('conversation-desk').getByRole('alert').textContent()).toBe(
      'json: text: Too big: expected string to have <=100000 characters',
    );
    pages.expectRefused(400);
    // Nothing was recorded: the run still waits on the same conversation.
    expect((await served().get(`/v1/runs/${runId}`)).waitingOn).toEqual([
      { nodeId: 'desk', waitingFor: 'message', said: OPENING },
    ]);
    // From the keyboard: Ctrl+Enter in the box sends.
    await page.getByLabel('Your message').fill('Tuesday afternoon would suit me');
    await page.getByLabel('Your message').press('Control+Enter');
    await poll(() => lines(page)).toContain(`desk: ${OFFER}`);
    await poll(() => page.getByTestId('conversation-desk').getByRole('alert').count()).toBe(0);
  });

  it('ends the conversation from the page: the step ends with the person and the run completes without a slot', async () => {
    const runId = await waitingRun();
    const page = await pages.open(`/runs/${runId}`);
    await poll(() => lines(page)).toEqual([`desk: ${OPENING}`]);
    await page.getByRole('button', { name: 'End conversation' }).click();
    await poll(() => page.getByTestId('run-status').textContent()).toBe('completed');
    await poll(() => page.getByTestId('conversation-desk').count()).toBe(0);
    // No slot was agreed: the step's output says who ended it, and after how many replies.
    expect((await served().get(`/v1/runs/${runId}`)).output).toEqual({ ended: 'person', turns: 1 });
    const ended = (await served().get(`/v1/runs/${runId}/events?after=0&limit=100`)).events.find(
      (e: { type: string }) => e.type === 'message.received',
    );
    expect(ended.data).toMatchObject({ nodeId: 'desk', text: '', end: true, by: 'ui' });
  });

  it("answers from the People inbox, and shows the API's 409 when the conversation ended meanwhile", async () => {
    const runId = await waitingRun();
    const page = await pages.open('/');
    // The inbox's polls are held still (run by hand below), so the page shows the run as it last read it.
    await page.clock.install();
    await page.goto(`${served().url}/people`);
    const box = page.getByTestId('inbox').locator('li.waiting-run', { hasText: runId });
    const said = () => box.getByTestId('transcript-desk').locator('li').allTextContents();
    await poll(said).toEqual([`desk: ${OPENING}`]);
    await box.getByLabel('Your message').fill('Tuesday afternoon would suit me');
    await box.getByRole('button', { name: 'Send', exact: true }).click();
    // Answered: the inbox reads the run and its log again, and the reply is there once recorded.
    await poll(async () => (await served().get(`/v1/runs/${runId}`)).waitingOn[0]?.said).toBe(OFFER);
    await page.clock.runFor(2_100);
    await poll(said).toEqual([`desk: ${OPENING}`, 'you: Tuesday afternoon would suit me', `desk: ${OFFER}`]);
    // Someone else ends the conversation through the API; this page has not heard of it yet.
    await served().post(`/v1/runs/${runId}/nodes/desk/messages`, { text: '', end: true });
    await poll(async () => (await served().get(`/v1/runs/${runId}`)).waitingOn).toEqual([]);
    await box.getByLabel('Your message').fill('Tuesday afternoon would suit me');
    await box.getByRole('button', { name: 'Send', exact: true }).click();
    await poll(() => box.getByRole('alert').textContent()).toBe(`cannot give 'desk' a message: run ${runId} is completed`);
    pages.expectRefused(409);
  });
});
