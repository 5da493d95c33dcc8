/**
 * Prompt runs (F4.5) through the library, on a real SQLite file, with the AI SDK's mock model:
 * templates validated, variables by scope, history, streaming, cancel mid-stream, failures,
 * track: false, batch and idle eviction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PromptInvalidError } from '../../src/prompt/template.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { GREET, type MockAnswer, mockModel } from './mock-model.js';

const dirs: string[] = [];
const opened: Runloom[] = [];
afterEach(async () => {
  for (const r of opened.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(answer?: (call: number) => MockAnswer, idleMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'runloom-prompt-'));
  dirs.push(dir);
  const store = createSqliteStore({ path: join(dir, 'runloom.db'), durability: 'normal' });
  const mock = mockModel(answer);
  const runloom = await createRunloom({
    store,
    models: { default: { model: mock.model, price: { input: 2, output: 10 } } },
    ...(idleMs ? { prompts: { idleMs } } : {}),
  });
  opened.push(runloom);
  return { runloom, store: store as SqliteStore, received: mock.received };
}

const rows = (store: SqliteStore, table: string) =>
  (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('prompt templates', () => {
  it('refuses a prompt with every problem named at once', async () => {
    const { runloom } = await open();
    const bad = `
format: runloom/prompt-v1
id: bad
variables:
  name: { type: string, default: 3 }
  current_date: { type: string }
system: "{{ vars.nmae }} and {{ name }}"
message: "{{ vars.name + }}"
`;
    const error = await runloom.prompts.publish(bad).catch((e) => e);
    expect(error).toBeInstanceOf(PromptInvalidError);
    const problems = (error as PromptInvalidError).problems.map((p) => `${p.path} ${p.code}`);
    expect(problems).toEqual([
      'variables.name.default TYPE',
      'variables.current_date RESERVED',
      'system UNKNOWN_VARIABLE',
      'system UNKNOWN_VARIABLE',
      'message EXPRESSION',
    ]);
    expect((error as Error).message).toContain("(did you mean 'name'?)");
    expect(await runloom.prompts.list()).toEqual([]);
  });

  it('publishes immutable versions per workspace', async () => {
    const { runloom } = await open();
    expect((await runloom.prompts.publish(GREET)).version).toBe(1);
    expect((await runloom.prompts.publish(GREET.replace('Say hello', 'Greet'))).version).toBe(2);
    expect((await runloom.prompts.get('greet', 1)).definition.message).toBe('Say hello to {{ vars.name }}');
    await expect(runloom.prompts.get('greet', undefined, { workspace: 'other' })).rejects.toThrow("prompt 'greet' not found");
  });
});

describe('variables by scope', () => {
  it('applies defaults < user < workspace < project < given < computed, and records what the model received', async () => {
    const { runloom, received } = await open();
    await runloom.prompts.publish(GREET);
    const p = runloom.prompts;
    const place = { user: 'ada', project: 'crm' };
    const run = await p.start('greet', place);
    const send = async (values?: Record<string, unknown>) =>
      (await (await run.send(undefined, values ? { values } : {})).done).variables;

    expect(await send()).toMatchObject({ name: 'there', tone: 'plain', lang: 'en' });
    await p.setVariable('user', 'tone', 'warm', { owner: 'ada' });
    await p.setVariable('user', 'lang', 'fr', { owner: 'ada' });
    await p.setVariable('user', 'name', 'user-name', { owner: 'ada' });
    expect(await send()).toMatchObject({ name: 'user-name', tone: 'warm', lang: 'fr' });
    await p.setVariable('workspace', 'tone', 'formal');
    await p.setVariable('workspace', 'name', 'ws-name');
    expect(await send()).toMatchObject({ name: 'ws-name', tone: 'formal', lang: 'fr' });
    await p.setVariable('project', 'name', 'project-name', { owner: 'crm' });
    // Another user's and another project's values are not this run's.
    await p.setVariable('user', 'lang', 'de', { owner: 'bob' });
    await p.setVariable('project', 'tone', 'loud', { owner: 'other' });
    expect(await send()).toMatchObject({ name: 'project-name', tone: 'formal', lang: 'fr' });
    const last = await send({ name: 'Grace' });
    expect(last).toMatchObject({
      name: 'Grace',
      tone: 'formal',
      lang: 'fr',
      run_id: run.id,
      prompt_id: 'greet',
      message_index: 5,
    });
    expect(last.current_date).toBe(new Date().toISOString().slice(0, 10));

    // What the model received is what each task recorded.
    const tasks = await run.history();
    expect(received.map((r) => r.system)).toEqual(tasks.map((t) => t.system));
    expect(received.map((r) => r.messages.at(-1)?.text)).toEqual(tasks.map((t) => t.message));
    expect(tasks.map((t) => t.message)).toEqual([
      'Say hello to there',
      'Say hello to user-name',
      'Say hello to ws-name',
      'Say hello to project-name',
      'Say hello to Grace',
    ]);
    expect(received[4].system).toBe(`Tone formal, language fr, today ${last.current_date}`);
    // The next message uses the value edited since the last one.
    await p.setVariable('workspace', 'tone', 'terse');
    expect((await send()).tone).toBe('terse');
  });

  it('refuses values of an undeclared variable or of the wrong type, naming it, with no task written', async () => {
    const { runloom, store } = await open();
    await runloom.prompts.publish(GREET);
    await expect(runloom.prompts.start('greet', { values: { nmae: 'x' } })).rejects.toThrow(
      "values.nmae: the prompt declares no variable 'nmae'",
    );
    const run = await runloom.prompts.start('greet');
    await expect(run.send(undefined, { values: { name: 3 } })).rejects.toThrow('values.name must be a string');
    await runloom.prompts.setVariable('workspace', 'tone', 42);
    await expect(run.send()).rejects.toThrow("variable 'tone' (from workspace) must be a string");
    expect(rows(store, 'prompt_tasks')).toBe(0);
  });
});

describe('prompt runs', () => {
  it('streams the answer, keeps the history and sends it with the next message', async () => {
    const { runloom, received } = await open((call) => ({ text: `answer ${call + 1}`, usage: { input: 100, output: 20 } }));
    await runloom.prompts.publish(GREET);
    const run = await runloom.prompts.start('greet', { values: { name: 'Ada' } });
    const reply = await run.send();
    let streamed = '';
    for await (const piece of reply) streamed += piece;
    expect(streamed).toBe('answer 1');
    const second = await (await run.send('And in French?')).done;
    expect(second).toMatchObject({ seq: 2, status: 'completed', output: 'answer 2', tokensIn: 100, tokensOut: 20 });
    expect(received[1].messages).toEqual([
      { role: 'user', text: 'Say hello to Ada' },
      { role: 'assistant', text: 'answer 1' },
      { role: 'user', text: 'And in French?' },
    ]);
    // 100 in × $2/1M + 20 out × $10/1M = $0.0004 = 40 credits, per message.
    expect(second.credits).toBe(40);
    expect(await run.info()).toMatchObject({ tasks: 2, totals: { tokensIn: 200, tokensOut: 40, credits: 80 } });
  });

  it('cancels mid-stream: the task ends cancelled with the partial text and its usage counted', async () => {
    const { runloom } = await open(() => ({
      text: 'one two three four five six seven eight',
      pieces: 8,
      delayMs: 40,
      usage: null,
    }));
    await runloom.prompts.publish(GREET);
    const run = await runloom.prompts.start('greet');
    const reply = await run.send();
    let streamed = '';
    for await (const piece of reply) {
      streamed += piece;
      if (streamed.length >= 8) reply.cancel();
    }
    const task = await reply.done;
    expect(task.status).toBe('cancelled');
    expect(task.output).toBe(streamed);
    expect(streamed.length).toBeLessThan('one two three four five six seven eight'.length);
    expect(task.tokensIn).toBeGreaterThan(0);
    expect(task.tokensOut).toBeGreaterThan(0);
    expect(await run.info()).toMatchObject({
      totals: { tokensIn: task.tokensIn, tokensOut: task.tokensOut, credits: task.credits },
    });
  });

  it('records a failed answer with its error, and refuses a second message while one streams', async () => {
    const { runloom } = await open((call) =>
      call === 0 ? { fail: 'bad request: context too long' } : { text: 'fine', pieces: 2, delayMs: 30 },
    );
    await runloom.prompts.publish(GREET);
    const run = await runloom.prompts.start('greet');
    const failed = await (await run.send()).done;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'MODEL_ERROR' });
    expect(failed.error?.message).toContain('context too long');
    const reply = await run.send();
    await expect(run.send('too soon')).rejects.toThrow('is answering a message');
    expect((await reply.done).status).toBe('completed');
  });

  it('track: false runs the same way and writes no row', async () => {
    const { runloom, store, received } = await open(() => ({ text: 'utility answer' }));
    const run = await runloom.prompts.start({ source: GREET }, { track: false, values: { name: 'Ada' } });
    const task = await (await run.send()).done;
    expect(task).toMatchObject({ status: 'completed', output: 'utility answer' });
    expect(received).toHaveLength(1);
    expect(await run.info()).toMatchObject({ tasks: 1 });
    for (const table of ['prompt_versions', 'prompt_runs', 'prompt_tasks']) expect(rows(store, table)).toBe(0);
    await expect(runloom.prompts.resume(run.id)).rejects.toThrow('not found');
  });

  it('frees idle runs from memory and reloads them, with their history, on use', async () => {
    const { runloom } = await open((call) => ({ text: `a${call}` }), 40);
    await runloom.prompts.publish(GREET);
    const run = await runloom.prompts.start('greet');
    await (await run.send()).done;
    expect(runloom.prompts.loaded()).toEqual([run.id]);
    await new Promise((r) => setTimeout(r, 150));
    expect(runloom.prompts.loaded()).toEqual([]);
    const again = await (await run.send('more')).done;
    expect(again.seq).toBe(2);
    expect(runloom.prompts.loaded()).toEqual([run.id]);
    expect((await run.history()).map((t) => t.output)).toEqual(['a0', 'a1']);
  });
});

describe('batch', () => {
  const SUMMARY = `
format: runloom/prompt-v1
id: summarize
variables:
  previous_output: { type: string }
message: "Summarize: {{ vars.previous_output }}"
`;
  it('gives each output to the next prompt and reports every item', async () => {
    const { runloom, received } = await open((call) => ({ text: call === 0 ? 'Hello Ada!' : 'A greeting.' }));
    await runloom.prompts.publish(GREET);
    await runloom.prompts.publish(SUMMARY);
    const report = await runloom.prompts.batch([{ prompt: 'greet', values: { name: 'Ada' } }, { prompt: 'summarize' }]);
    expect(report.status).toBe('completed');
    expect(report.items.map((i) => [i.status, i.output])).toEqual([
      ['completed', 'Hello Ada!'],
      ['completed', 'A greeting.'],
    ]);
    expect(received[1].messages.at(-1)?.text).toBe('Summarize: Hello Ada!');
  });

  it('stops at the first failure and says which items did not run', async () => {
    const { runloom, received } = await open((call) => (call === 1 ? { fail: 'quota' } : { text: 'x' }));
    await runloom.prompts.publish(GREET);
    await runloom.prompts.publish(SUMMARY);
    const report = await runloom.prompts.batch([{ prompt: 'greet' }, { prompt: 'summarize' }, { prompt: 'greet' }]);
    expect(report.status).toBe('failed');
    expect(report.items.map((i) => i.status)).toEqual(['completed', 'failed', 'skipped']);
    expect(report.items[1].error?.message).toContain('quota');
    expect(received).toHaveLength(2);
  });
});
