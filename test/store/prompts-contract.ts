/**
 * The prompt-run and chat part of the Store contract (F4.5, F4.6). Called from
 * `describeStoreContract`, so every store runs it.
 */
import { describe, expect, it } from 'vitest';
import type { PromptTaskEnd } from '../../src/store/prompt-records.js';
import type { Store } from '../../src/store/store.js';

const T0 = 1_700_000_000_000;
const run = (id: string, workspace = 'acme', createdAt = T0) => ({
  id,
  workspace,
  promptId: 'greet',
  promptVersion: 1,
  user: 'ada',
  values: { name: 'Ada' },
  createdAt,
  updatedAt: createdAt,
});
const task = (runId: string, message = 'hi') => ({
  runId,
  model: 'mock',
  message,
  variables: { name: 'Ada' },
  startedAt: T0 + 1,
});
const end = (
  tokensIn: number,
  tokensOut: number,
  credits: number,
  status: PromptTaskEnd['status'] = 'completed',
): PromptTaskEnd => ({
  status,
  output: 'hello',
  tokensIn,
  tokensOut,
  credits,
  ttftMs: 3,
  durationMs: 9,
  endedAt: T0 + 10,
});

export function describePromptsContract(current: () => Store): void {
  describe('prompts and chats', () => {
    it('publishes immutable prompt versions per workspace and lists them', async () => {
      const { prompts } = current();
      expect((await prompts.publish('acme', 'greet', { system: 'v1' }, T0)).version).toBe(1);
      expect((await prompts.publish('acme', 'greet', { system: 'v2' }, T0 + 1)).version).toBe(2);
      expect((await prompts.publish('beta', 'greet', { system: 'b' }, T0 + 2)).version).toBe(1);
      expect((await prompts.get('acme', 'greet'))?.definition).toEqual({ system: 'v2' });
      expect((await prompts.get('acme', 'greet', 1))?.definition).toEqual({ system: 'v1' });
      expect(await prompts.get('acme', 'greet', 3)).toBeUndefined();
      expect(await prompts.get('gamma', 'greet')).toBeUndefined();
      expect(await prompts.list('acme')).toEqual([{ promptId: 'greet', latestVersion: 2, updatedAt: T0 + 1 }]);
    });

    it('stores variables per scope and owner, replaces and deletes them', async () => {
      const { prompts } = current();
      const v = { workspace: 'acme', scope: 'user' as const, owner: 'ada', name: 'tone', value: { style: 'dry' }, updatedAt: T0 };
      await prompts.setVariable(v);
      await prompts.setVariable({ ...v, value: 'warm', updatedAt: T0 + 1 });
      await prompts.setVariable({ ...v, owner: 'bob', value: 'loud' });
      await prompts.setVariable({ ...v, scope: 'workspace', owner: '', value: 'plain' });
      expect(await prompts.listVariables('acme', 'user', 'ada')).toEqual([{ ...v, value: 'warm', updatedAt: T0 + 1 }]);
      expect((await prompts.listVariables('acme', 'workspace', '')).map((r) => r.value)).toEqual(['plain']);
      expect(await prompts.listVariables('beta', 'user', 'ada')).toEqual([]);
      expect(await prompts.deleteVariable('acme', 'user', 'ada', 'tone')).toBe(true);
      expect(await prompts.deleteVariable('acme', 'user', 'ada', 'tone')).toBe(false);
      expect(await prompts.listVariables('acme', 'user', 'ada')).toEqual([]);
    });

    it('numbers tasks, ends each once and keeps the run totals equal to the sum of its tasks', async () => {
      const { prompts } = current();
      await prompts.createRun(run('p1'));
      expect(await prompts.startTask(task('p1', 'one'))).toBe(1);
      expect(await prompts.startTask(task('p1', 'two'))).toBe(2);
      expect(await prompts.finishTask('p1', 1, end(10, 5, 7))).toBe(true);
      // A task ends once: a second end (a late cancel) changes nothing.
      expect(await prompts.finishTask('p1', 1, end(99, 99, 99, 'cancelled'))).toBe(false);
      expect(
        await prompts.finishTask('p1', 2, { ...end(4, 1, 2, 'failed'), error: { code: 'MODEL_ERROR', message: 'boom' } }),
      ).toBe(true);
      expect(await prompts.finishTask('p1', 3, end(1, 1, 1))).toBe(false);
      const record = await prompts.getRun('p1');
      expect(record).toMatchObject({
        ...run('p1'),
        tasks: 2,
        totals: { tokensIn: 14, tokensOut: 6, credits: 9 },
        updatedAt: T0 + 10,
      });
      const tasks = await prompts.listTasks('p1');
      expect(tasks.map((t) => [t.seq, t.message, t.status, t.credits])).toEqual([
        [1, 'one', 'completed', 7],
        [2, 'two', 'failed', 2],
      ]);
      expect(tasks[0]).toMatchObject({ variables: { name: 'Ada' }, output: 'hello', ttftMs: 3, durationMs: 9, endedAt: T0 + 10 });
      expect(tasks[1].error).toEqual({ code: 'MODEL_ERROR', message: 'boom' });
      await expect(prompts.startTask(task('nope'))).rejects.toThrow();
    });

    it('lists a workspace runs newest first and replaces the values a run was given', async () => {
      const { prompts } = current();
      await prompts.createRun(run('old', 'acme', T0));
      await prompts.createRun(run('new', 'acme', T0 + 5));
      await prompts.createRun(run('other', 'beta', T0 + 9));
      expect((await prompts.listRuns('acme', 10)).map((r) => r.id)).toEqual(['new', 'old']);
      expect((await prompts.listRuns('acme', 1)).map((r) => r.id)).toEqual(['new']);
      expect(await prompts.setRunValues('old', { name: 'Grace' }, T0 + 20)).toBe(true);
      expect(await prompts.setRunValues('missing', {}, T0)).toBe(false);
      expect((await prompts.getRun('old'))?.values).toEqual({ name: 'Grace' });
      expect(await prompts.getRun('missing')).toBeUndefined();
    });

    it('keeps chats and messages with their metadata exactly as written', async () => {
      const { chats } = current();
      // Keys in an unusual order, as a future version might write them: read back the same.
      const future = { zeta: 1, __version: 99, alpha: { b: [1, { y: 2, x: 1 }] } };
      await chats.create({ id: 'c1', workspace: 'acme', title: 'Leads', metadata: future, createdAt: T0, updatedAt: T0 });
      await chats.create({ id: 'c2', workspace: 'acme', title: 'Other', metadata: {}, createdAt: T0, updatedAt: T0 + 1 });
      expect(JSON.stringify((await chats.get('c1'))?.metadata)).toBe(JSON.stringify(future));
      expect(
        await chats.addMessage({ chatId: 'c1', role: 'user', content: 'hi', metadata: { __version: 1 }, createdAt: T0 + 5 }),
      ).toBe(1);
      expect(
        await chats.addMessage({ chatId: 'c1', role: 'assistant', content: 'yo', metadata: future, createdAt: T0 + 6 }),
      ).toBe(2);
      await expect(
        chats.addMessage({ chatId: 'nope', role: 'user', content: '', metadata: {}, createdAt: T0 }),
      ).rejects.toThrow();
      expect((await chats.list('acme', 10)).map((c) => c.id)).toEqual(['c1', 'c2']);
      expect(await chats.setMessageMetadata('c1', 1, { __version: 2, runs: ['r1'] })).toBe(true);
      expect(await chats.setMessageMetadata('c1', 9, {})).toBe(false);
      const messages = await chats.listMessages('c1');
      expect(messages.map((m) => [m.seq, m.role, m.content])).toEqual([
        [1, 'user', 'hi'],
        [2, 'assistant', 'yo'],
      ]);
      expect(messages[0].metadata).toEqual({ __version: 2, runs: ['r1'] });
      expect(JSON.stringify(messages[1].metadata)).toBe(JSON.stringify(future));
      expect(await chats.setMetadata('c2', { __version: 1, title: 'x' }, T0 + 50)).toBe(true);
      expect(await chats.setMetadata('nope', {}, T0)).toBe(false);
      expect((await chats.list('acme', 1)).map((c) => c.id)).toEqual(['c2']);
      expect(await chats.list('beta', 10)).toEqual([]);
    });
  });
}
