/**
 * `runloom prompts push|list|show`, `runloom prompt run <file|id> --var k=v` (the answer streams
 * as it is written) and `runloom chat <prompt>` (an interactive chat, resumable by its run id) —
 * on the local store or, with `--server`, through the HTTP API. Ctrl-C during an answer cancels
 * it (the task ends `cancelled` with the partial text); Ctrl-C at the chat prompt leaves.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { RequestError } from '../errors.js';
import type { PromptTaskRecord } from '../store/prompt-records.js';
import { parseInputPairs } from './inputs.js';
import { localPrompts, type PromptClient, remotePrompts } from './prompt-client.js';
import { withRunloom } from './runs-commands.js';
import { createApiClient, type ServerOptions, serverUrl } from './server-client.js';

type Options = ServerOptions & { json?: boolean };

function withPrompts(command: Command, action: (prompts: PromptClient, json: boolean) => Promise<number>): Promise<void> {
  const options = command.optsWithGlobals() as Options;
  const url = serverUrl(options);
  if (url) {
    return action(remotePrompts(createApiClient(url)), Boolean(options.json)).then((code) => {
      process.exitCode = code;
    });
  }
  return withRunloom(command, false, (runloom) => action(localPrompts(runloom), Boolean(options.json)));
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Streams one answer to stdout; Ctrl-C cancels it. Returns the task as stored. */
async function answer(prompts: PromptClient, runId: string, text: string | undefined, json: boolean): Promise<PromptTaskRecord> {
  const abort = new AbortController();
  const cancel = () => abort.abort();
  process.once('SIGINT', cancel);
  let task: PromptTaskRecord | undefined;
  try {
    for await (const event of prompts.send(runId, text, abort.signal)) {
      if ('task' in event) task = event.task;
      else if (json) process.stdout.write(`${JSON.stringify(event)}\n`);
      else process.stdout.write(event.text);
    }
  } finally {
    process.off('SIGINT', cancel);
  }
  if (!task) throw new Error(`the answer to the message of prompt run ${runId} ended without its task`);
  if (json) process.stdout.write(`${JSON.stringify({ task })}\n`);
  else {
    const usage = `${task.tokensIn} in / ${task.tokensOut} out, ${task.credits} credits, first token ${task.ttftMs ?? '-'} ms`;
    process.stdout.write('\n');
    process.stderr.write(`[${task.status}${task.error ? `: ${task.error.message}` : ''}] ${usage}\n`);
  }
  return task;
}

export function registerPromptCommands(program: Command): void {
  const prompts = program.command('prompts').description('publish and read prompt templates (locally, or on --server)');
  prompts
    .command('push <files...>')
    .description('publish prompt files (runloom/prompt-v1), each as its next version')
    .action((files: string[], _opts: unknown, command: Command) =>
      withPrompts(command, async (client, json) => {
        const { readFileSync } = await import('node:fs');
        for (const file of files) {
          const version = await client.publish(readFileSync(file, 'utf8'), file);
          process.stdout.write(json ? `${JSON.stringify(version)}\n` : `published ${version.promptId} v${version.version}\n`);
        }
        return 0;
      }),
    );
  prompts.command('list').action((_opts: unknown, command: Command) =>
    withPrompts(command, async (client, json) => {
      const list = await client.list();
      if (json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else for (const p of list) process.stdout.write(`${p.promptId.padEnd(32)} v${p.latestVersion}\n`);
      return 0;
    }),
  );
  prompts
    .command('show <promptId>')
    .option('--version <n>', 'a version (default: the latest)')
    .action((promptId: string, opts: { version?: string }, command: Command) =>
      withPrompts(command, async (client) => {
        const version = await client.show(promptId, opts.version === undefined ? undefined : Number(opts.version));
        process.stdout.write(`${JSON.stringify(version, null, 2)}\n`);
        return 0;
      }),
    );

  const scopeOf = (scope: string) => {
    if (scope !== 'user' && scope !== 'workspace' && scope !== 'project') {
      throw new RequestError('BAD_REQUEST', `--scope must be user, workspace or project, not '${scope}'`);
    }
    return scope;
  };
  const vars = prompts.command('vars').description('variables stored by scope (user and project scopes take --owner)');
  vars
    .command('set <key=value>')
    .requiredOption('--scope <scope>', 'user, workspace or project')
    .option('--owner <id>', 'the user or project the value belongs to')
    .action((pair: string, opts: { scope: string; owner?: string }, command: Command) =>
      withPrompts(command, async (client, json) => {
        const [[name, value]] = Object.entries(parseInputPairs([pair]));
        const row = await client.setVariable(scopeOf(opts.scope), name, value, opts.owner);
        process.stdout.write(
          json ? `${JSON.stringify(row)}\n` : `${row.scope} ${row.owner || '-'} ${row.name} = ${JSON.stringify(row.value)}\n`,
        );
        return 0;
      }),
    );
  vars
    .command('list')
    .requiredOption('--scope <scope>', 'user, workspace or project')
    .option('--owner <id>', 'the user or project')
    .action((opts: { scope: string; owner?: string }, command: Command) =>
      withPrompts(command, async (client, json) => {
        const rows = await client.listVariables(scopeOf(opts.scope), opts.owner);
        if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else for (const row of rows) process.stdout.write(`${row.name} = ${JSON.stringify(row.value)}\n`);
        return 0;
      }),
    );
  vars
    .command('unset <name>')
    .requiredOption('--scope <scope>', 'user, workspace or project')
    .option('--owner <id>', 'the user or project')
    .action((name: string, opts: { scope: string; owner?: string }, command: Command) =>
      withPrompts(command, async (client) => {
        await client.deleteVariable(scopeOf(opts.scope), name, opts.owner);
        process.stdout.write(`unset ${name}\n`);
        return 0;
      }),
    );

  program
    .command('prompt')
    .description('prompt runs')
    .command('run <fileOrPrompt>')
    .description('run a prompt file or a published prompt id; the answer streams as it is written')
    .option('--var <key=value>', 'a value of a variable (repeatable; JSON values are parsed)', collect, [])
    .option('--message <text>', "the message to send (default: the prompt's message template)")
    .option('--no-track', 'a utility run: nothing is stored')
    .action((target: string, opts: { var: string[]; message?: string; track: boolean }, command: Command) =>
      withPrompts(command, async (client, json) => {
        const runId = await client.start(target, parseInputPairs(opts.var), opts.track);
        if (!json) process.stderr.write(`prompt run ${runId}\n`);
        const task = await answer(client, runId, opts.message, json);
        return task.status === 'completed' ? 0 : 1;
      }),
    );

  program
    .command('chat <prompt>')
    .description('an interactive chat with a prompt (file or id); --resume <runId> goes on with its history')
    .option('--var <key=value>', 'a value of a variable (repeatable)', collect, [])
    .option('--resume <runId>', 'the prompt run to go on with')
    .action((target: string, opts: { var: string[]; resume?: string }, command: Command) =>
      withPrompts(command, async (client, json) => {
        const runId = opts.resume ?? (await client.start(target, parseInputPairs(opts.var), true));
        const { tasks } = await client.history(runId);
        for (const t of tasks) process.stdout.write(`> ${t.message}\n${t.output ?? ''}\n`);
        process.stderr.write(
          `chat ${runId} (go on later with: runloom chat ${target} --resume ${runId}); an empty line or Ctrl-D ends\n`,
        );
        const lines = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
        // One iterator for the whole chat: lines typed (or piped) while an answer streams wait in it.
        const typed = lines[Symbol.asyncIterator]();
        try {
          for (;;) {
            if (process.stdin.isTTY) process.stdout.write('> ');
            const line = await typed.next();
            if (line.done || line.value.trim() === '') break;
            await answer(client, runId, line.value, json);
          }
        } finally {
          lines.close();
        }
        return 0;
      }),
    );
}
