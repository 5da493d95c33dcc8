/**
 * The prompt commands as a user runs them (`node bin/runloom.mjs`, a real SQLite file, a model
 * configured as openai-compatible against a loopback chat-completions server): push, list, run
 * with --var streaming the answer, an interactive chat resumed by id, and the same through
 * `--server`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliResult, cleanEnv, cli, REPO } from '../cli/helpers.js';
import { openServer, type TestServer } from '../server/support.js';
import { type ChatCompletionsServer, startChatCompletionsServer } from '../support/chat-completions-server.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-prompt-cli-'));
const store = join(dir, 'runloom.db');
const config = join(dir, 'runloom.config.yaml');
const file = join(dir, 'greet.prompt.yaml');
let model: ChatCompletionsServer;

beforeAll(async () => {
  model = await startChatCompletionsServer((request) => ({
    pieces: ['You said: ', request.messages.at(-1)?.content ?? '', ` (${request.messages.length} messages)`],
    usage: { prompt: 20, completion: 6 },
  }));
  writeFileSync(
    config,
    `default: local\nmodels:\n  local:\n    provider: openai-compatible\n    baseURL: ${model.baseURL}\n    model: tiny\n`,
  );
  writeFileSync(
    file,
    `format: runloom/prompt-v1
id: greet
variables:
  name: { type: string, default: there }
system: "Be brief."
message: "Hello {{ vars.name }}"
`,
  );
});
afterAll(async () => {
  await model.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: readonly string[]) => cli(['--store', store, '--config', config, ...args], { cwd: dir });

/** `runloom …` with lines typed on stdin. */
function typed(args: readonly string[], input: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--store', store, '--config', config, ...args], { cwd: REPO, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: 0 }));
  });
}

describe('runloom prompts and prompt run', () => {
  it('pushes, lists and runs a prompt with --var, streaming the answer', async () => {
    const pushed = await run(['prompts', 'push', file]);
    expect(pushed.stdout).toBe('published greet v1\n');
    expect((await run(['prompts', 'list'])).stdout).toContain('greet');
    const answered = await run(['prompt', 'run', 'greet', '--var', 'name=Ada']);
    expect(answered.code).toBe(0);
    expect(answered.stdout).toBe('You said: Hello Ada (2 messages)\n');
    expect(answered.stderr).toMatch(/\[completed\] 20 in \/ 6 out/);
    const bad = await run(['prompt', 'run', 'greet', '--var', 'nmae=Ada']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("values.nmae: the prompt declares no variable 'nmae'");
  });

  it('runs a file with --no-track and stores nothing new', async () => {
    const before = await run(['--json', 'prompts', 'list']);
    const result = await run(['--json', 'prompt', 'run', file, '--no-track', '--var', 'name=Grace']);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1).task).toMatchObject({ status: 'completed', output: 'You said: Hello Grace (2 messages)' });
    expect((await run(['--json', 'prompts', 'list'])).stdout).toBe(before.stdout);
  });

  it('chats interactively, and goes on later with --resume and the whole history', async () => {
    const first = await typed(['chat', 'greet'], 'hi there\nand again\n\n');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('You said: hi there (2 messages)');
    expect(first.stdout).toContain('You said: and again (4 messages)');
    const runId = /chat (pr_[\w-]+)/.exec(first.stderr)?.[1] as string;
    const later = await typed(['chat', 'greet', '--resume', runId], 'one more\n');
    expect(later.stdout).toContain('> hi there\nYou said: hi there (2 messages)');
    expect(later.stdout).toContain('You said: one more (6 messages)');
  });
});

describe('runloom prompts vars', () => {
  it('stores a variable by scope that the next message uses, lists and unsets it', async () => {
    expect((await run(['prompts', 'vars', 'set', 'name=Team', '--scope', 'workspace'])).stdout).toBe(
      'workspace - name = "Team"\n',
    );
    expect((await run(['prompts', 'vars', 'list', '--scope', 'workspace'])).stdout).toBe('name = "Team"\n');
    expect((await run(['prompt', 'run', 'greet'])).stdout).toBe('You said: Hello Team (2 messages)\n');
    const noOwner = await run(['prompts', 'vars', 'set', 'name=Me', '--scope', 'user']);
    expect(noOwner.code).toBe(2);
    expect(noOwner.stderr).toContain('a user variable needs the user it belongs to');
    expect((await run(['prompts', 'vars', 'unset', 'name', '--scope', 'workspace'])).code).toBe(0);
    expect((await run(['prompt', 'run', 'greet'])).stdout).toBe('You said: Hello there (2 messages)\n');
  });
});

describe('runloom prompt run --server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openServer({ runloom: { config } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('publishes the file on the server and streams the answer over SSE', async () => {
    const result = await cli(['--server', server.url, 'prompt', 'run', file, '--var', 'name=Server'], { cwd: dir });
    expect(result.stderr).toContain('prompt run pr_');
    expect(result.stdout).toBe('You said: Hello Server (2 messages)\n');
    expect(result.code).toBe(0);
    expect((await server.runloom.prompts.list()).map((p) => p.promptId)).toEqual(['greet']);
  });
});
