/**
 * The prompt playground and chats in a real browser (F4.5, F4.6 through F7.4) against a real
 * `runloom serve` whose models config points at a loopback chat-completions server: pick a
 * template, set its variables, send, watch the answer stream in, read the usage figures, cancel
 * mid-stream, reopen the prompt run by id with its history, see refusals and failed answers with
 * their reasons, and open a chat with its metadata.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatCompletionsServer, startChatCompletionsServer } from '../support/chat-completions-server.js';
import { launch, pagePerTest, SCREENSHOTS, type Served, serve } from './support.js';

const GREET = `format: runloom/prompt-v1
id: greet
model: local
variables:
  name: { type: string, default: there }
  times: { type: number, default: 2, description: how many greetings }
  loud: { type: boolean }
system: "Greet {{ vars.times }} times."
message: "Hello {{ vars.name }}"
`;

const dir = mkdtempSync(join(tmpdir(), 'runloom-web-prompts-'));
let model: ChatCompletionsServer;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  model = await startChatCompletionsServer((request) => {
    const last = request.messages.at(-1)?.content ?? '';
    // "slowly" asks for a long answer, to be cancelled half-way.
    if (last.includes('slowly')) return { pieces: Array.from({ length: 60 }, (_, i) => `word${i} `), delayMs: 100 };
    return {
      pieces: ['Hi ', `${last.replace('Hello ', '')}`, ', nice ', 'to meet you.'],
      delayMs: 250,
      usage: { prompt: 20, completion: 6 },
    };
  });
  const config = join(dir, 'runloom.config.yaml');
  // $1000 / $2000 per 1M tokens: 20 in + 6 out = 2000 + 1200 credits.
  writeFileSync(
    config,
    `models:\n  down:\n    provider: openai-compatible\n    baseURL: http://127.0.0.1:9/v1\n    model: none\n  local:\n    provider: openai-compatible\n    baseURL: ${model.baseURL}\n    model: tiny\n    price: { input: 1000, output: 2000 }\n`,
  );
  served = await serve({ args: ['--config', config] });
  browser = await launch();
  await served.post('/v1/prompts', { prompt: GREET });
  await served.post('/v1/prompts', { prompt: GREET.replace('message: "Hello', 'message: "Good day') });
  // A prompt whose model nobody answers (nothing listens on port 9): its messages fail.
  await served.post('/v1/prompts', {
    prompt: GREET.replace('id: greet', 'id: unanswered').replace('model: local', 'model: down'),
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await model?.close();
  rmSync(dir, { recursive: true, force: true });
});
const pages = pagePerTest(() => ({ browser, served }));
afterEach(pages.check);
const open = pages.open;

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

describe('prompt playground', () => {
  let promptRunId = '';

  it('picks a template, edits its variables, sends, streams the answer and shows its tokens, credits and TTFT', async () => {
    const page = await open('/');
    await page.getByRole('link', { name: 'Prompts', exact: true }).click();
    await page.getByRole('button', { name: 'greet' }).click();
    const template = page.getByTestId('template');
    // The latest version first; an earlier one is a pick away.
    await expect.poll(() => template.textContent()).toContain('Good day {{ vars.name }}');
    expect(await template.getByRole('heading').first().textContent()).toBe('greet v2');
    await page.getByLabel('Version').selectOption('1');
    await expect.poll(() => template.textContent()).toContain('Hello {{ vars.name }}');
    expect(await template.getByRole('heading').first().textContent()).toBe('greet v1');
    const form = page.getByTestId('variables-form');
    // The form is drawn from the variables' types, with their defaults.
    expect(await form.getByLabel('name').inputValue()).toBe('there');
    expect(await form.getByLabel('times').inputValue()).toBe('2');
    expect(await form.getByLabel('loud').isChecked()).toBe(false);
    await form.getByLabel('name').fill('Ada');
    await shot(page, 'prompts');
    await form.getByLabel('times').fill('many');
    await form.getByRole('button', { name: 'Start prompt run' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('times: expected a number');
    await form.getByLabel('times').fill('3');
    await form.getByRole('button', { name: 'Start prompt run' }).click();
    await page.waitForURL(/\/prompts\/runs\/pr_/);
    promptRunId = (await page.getByTestId('prompt-run-id').textContent()) ?? '';
    expect(await page.getByTestId('run-values').textContent()).toContain('"name":"Ada"');

    // No text: the prompt's own message, rendered with the values given.
    await page.getByRole('button', { name: 'Send' }).click();
    const streaming = page.getByTestId('streaming');
    await expect.poll(() => streaming.getByTestId('streaming-answer').textContent()).toContain('Hi Ada');
    expect(await streaming.getByTestId('task-status').textContent()).toBe('streaming');
    expect(await page.getByRole('button', { name: 'Cancel' }).isEnabled()).toBe(true);

    const task = page.getByTestId('task-1');
    await expect.poll(() => task.getByTestId('task-status').textContent(), { timeout: 5_000 }).toBe('completed');
    expect(await task.locator('.answer').textContent()).toBe('Hi Ada, nice to meet you.');
    expect(await task.getByTestId('tokens-in').textContent()).toBe('20');
    expect(await task.getByTestId('tokens-out').textContent()).toBe('6');
    expect(await task.getByTestId('credits').textContent()).toBe('3200');
    expect(await task.getByTestId('ttft').textContent()).toMatch(/^\d+\.\d\d s$/);
    expect(await page.getByTestId('total-credits').textContent()).toBe('3200');
    expect(model.requests.at(-1)?.messages).toEqual([
      { role: 'system', content: 'Greet 3 times.' },
      { role: 'user', content: 'Hello Ada' },
    ]);
    await shot(page, 'prompt-run');
  });

  it('cancels an answer mid-stream: the server keeps the partial text, status cancelled', async () => {
    const page = await open(`/prompts/runs/${encodeURIComponent(promptRunId)}`);
    await page.getByRole('textbox', { name: 'Message' }).fill('Now tell it slowly');
    // Keyboard only: Ctrl+Enter in the message sends it.
    await page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');
    await expect.poll(() => page.getByTestId('streaming-answer').textContent()).toContain('word2 ');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const task = page.getByTestId('task-2');
    await expect.poll(() => task.getByTestId('task-status').textContent(), { timeout: 5_000 }).toBe('cancelled');
    const partial = (await task.locator('.answer').textContent()) ?? '';
    expect(partial).toContain('word2 ');
    expect(partial).not.toContain('word59');
    // The history went with the second message.
    expect(model.requests.at(-1)?.messages.map((m) => m.content)).toEqual([
      'Greet 3 times.',
      'Hello Ada',
      'Hi Ada, nice to meet you.',
      'Now tell it slowly',
    ]);
  });

  it('reopens a prompt run by id with its whole history and totals, and goes on with other values', async () => {
    const page = await open('/prompts');
    await page.getByLabel('Prompt run id').fill(promptRunId);
    await page.getByLabel('Prompt run id').press('Enter');
    await page.waitForURL(/\/prompts\/runs\/pr_/);
    await expect.poll(() => page.getByTestId('task-1').getByTestId('task-status').textContent()).toBe('completed');
    expect(await page.getByTestId('task-2').getByTestId('task-status').textContent()).toBe('cancelled');
    const stored = await served.get(`/v1/prompt-runs/${promptRunId}`);
    expect(await page.getByTestId('total-tokens').textContent()).toBe(
      `${stored.run.totals.tokensIn} / ${stored.run.totals.tokensOut}`,
    );
    expect(await page.getByTestId('total-credits').textContent()).toBe(String(stored.run.totals.credits));
    // Resumed with other values: the next message is rendered with them, the earlier ones keep theirs.
    await page.getByText('Values for the next messages').click();
    const values = page.getByTestId('values-form');
    expect(await values.getByLabel('name').inputValue()).toBe('Ada');
    await values.getByLabel('name').fill('Grace');
    await values.getByRole('button', { name: 'Set values' }).click();
    await expect.poll(() => page.getByTestId('run-values').textContent()).toContain('"name":"Grace"');
    await page.getByRole('button', { name: 'Send' }).click();
    const third = page.getByTestId('task-3');
    await expect.poll(() => third.getByTestId('task-status').textContent(), { timeout: 5_000 }).toBe('completed');
    expect(await third.locator('.message').textContent()).toBe('#3 Hello Grace');
    expect(await third.locator('.answer').textContent()).toBe('Hi Grace, nice to meet you.');
    expect(await page.getByTestId('task-1').locator('.message').textContent()).toBe('#1 Hello Ada');
    // The recent runs list links here too.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Prompts' }).click();
    await expect.poll(() => page.getByRole('link', { name: promptRunId }).count()).toBe(1);
  });

  it('refuses to open a prompt run that does not exist, naming it', async () => {
    const page = await open('/prompts/runs/pr_missing');
    await expect.poll(() => page.locator('.error').textContent()).toContain('pr_missing');
    pages.expectRefused(404);
  });

  it('shows a refused message with the reason, and a message whose model cannot be reached as failed', async () => {
    // `loud` has no default and no value: the server refuses the message, naming the variable.
    const refused = await served.post('/v1/prompt-runs', { prompt: 'unanswered' });
    const page = await open(`/prompts/runs/${encodeURIComponent(refused.id)}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain("variable 'loud' has no value");
    pages.expectRefused(400);

    const run = await served.post('/v1/prompt-runs', { prompt: 'unanswered', values: { loud: true } });
    await page.goto(`${served.url}/prompts/runs/${encodeURIComponent(run.id)}`);
    await page.getByRole('button', { name: 'Send' }).click();
    const task = page.getByTestId('task-1');
    await expect.poll(() => task.getByTestId('task-status').textContent(), { timeout: 20_000 }).toBe('failed');
    expect(await task.locator('.error').textContent()).toMatch(/\w+: .+/);
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true);
  }, 30_000);

  it('lists chats and opens one with its metadata and its messages', async () => {
    const chat = await served.post('/v1/chats', {
      title: 'Support',
      metadata: {
        __version: 2,
        project: 'apollo',
        references: [{ kind: 'promptRun', id: promptRunId }],
        settings: { model: 'local' },
      },
    });
    // A message written with the older metadata version is shown upgraded, as the API reads it.
    const toolCalls = [{ id: 't1', tool: 'lookup_order', input: { id: 42 }, output: { status: 'shipped' } }];
    await served.post(`/v1/chats/${chat.id}/messages`, {
      content: 'Where is my order?',
      metadata: { __version: 1, toolCalls, state: 'done' },
    });
    const page = await open('/chats');
    await page.getByRole('link', { name: chat.id }).click();
    await expect.poll(() => page.getByTestId('chat-metadata').textContent()).toContain('"project": "apollo"');
    expect(await page.getByTestId('chat-metadata').textContent()).toContain('"model": "local"');
    const message = page.getByTestId('message-1');
    expect(await message.locator('.content').textContent()).toBe('Where is my order?');
    const metadata = await message.locator('.metadata').textContent();
    expect(metadata).toContain('"tool": "lookup_order"');
    expect(metadata).toContain('"state": "completed"');
    await shot(page, 'chat');
    // A reference to a prompt run is a link to it.
    await page.getByRole('list', { name: 'References' }).getByRole('link', { name: promptRunId }).click();
    await expect.poll(() => page.getByTestId('prompt-run-id').textContent()).toBe(promptRunId);
  });
});
