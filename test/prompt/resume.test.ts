/** Resume a prompt run by id from a second process (a real child process on the same SQLite file). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunloom } from '../../src/runloom.js';
import { GREET, mockModel } from './mock-model.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resume a prompt run', () => {
  it('goes on in another process with the whole history', async () => {
    const path = join(dir, 'runloom.db');
    const mock = mockModel(() => ({ text: 'Hello Ada!', usage: { input: 10, output: 4 } }));
    const first = await createRunloom({ store: path, models: { default: mock.model } });
    await first.prompts.publish(GREET);
    const run = await first.prompts.start('greet', { values: { name: 'Ada' } });
    await (await run.send()).done;
    await first.close();

    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./resume-child.ts', import.meta.url)), path, run.id],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const out = JSON.parse(child.stdout);
    expect(out.received[0].messages).toEqual([
      { role: 'user', text: 'Say hello to Ada' },
      { role: 'assistant', text: 'Hello Ada!' },
      { role: 'user', text: 'and now?' },
    ]);
    expect(out.task).toMatchObject({ seq: 2, status: 'completed', output: 'child saw 3 messages' });
    expect(out.info).toMatchObject({ tasks: 2, totals: { tokensIn: 17, tokensOut: 7 } });

    // And back here: the history the child added is read from the store.
    const again = await createRunloom({ store: path, models: { default: mock.model } });
    try {
      const resumed = await again.prompts.resume(run.id);
      expect((await resumed.history()).map((t) => t.output)).toEqual(['Hello Ada!', 'child saw 3 messages']);
      await expect(again.prompts.resume(run.id, { workspace: 'other' })).rejects.toThrow('not found');
    } finally {
      await again.close();
    }
  }, 90_000);
});
