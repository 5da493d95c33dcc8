/**
 * `runloom keys create|list|revoke --workspace w`: API keys, managed where the store is (the
 * server itself needs a key before it serves anything but loopback). A secret is printed once.
 */
import type { Command } from 'commander';
import { createApiKeys } from '../server/keys.js';
import { withRunloom } from './runs-commands.js';

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys of a workspace (in the store: --store)');
  keys
    .command('create')
    .requiredOption('--workspace <name>', 'the workspace the key may use')
    .option('--name <text>', 'what the key is for', 'cli')
    .action((opts: { workspace: string; name: string }, command: Command) =>
      withRunloom(command, false, async (runloom, options) => {
        const key = await createApiKeys(runloom.store.apiKeys).create(opts.workspace, opts.name);
        if (options.json) process.stdout.write(`${JSON.stringify(key)}\n`);
        else process.stdout.write(`key ${key.id} for workspace '${key.workspace}' (shown once, store it now):\n${key.secret}\n`);
        return 0;
      }),
    );
  keys
    .command('list')
    .option('--workspace <name>', 'only this workspace')
    .action((opts: { workspace?: string }, command: Command) =>
      withRunloom(command, false, async (runloom, options) => {
        const list = await createApiKeys(runloom.store.apiKeys).list(opts.workspace);
        if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        for (const key of options.json ? [] : list) {
          const state = key.revokedAt === undefined ? 'live' : `revoked ${new Date(key.revokedAt).toISOString()}`;
          process.stdout.write(`${key.id}  ${key.workspace.padEnd(16)} ${key.name.padEnd(20)} ${state}\n`);
        }
        return 0;
      }),
    );
  keys
    .command('revoke <keyId>')
    .requiredOption('--workspace <name>', "the key's workspace")
    .action((keyId: string, opts: { workspace: string }, command: Command) =>
      withRunloom(command, false, async (runloom) => {
        await createApiKeys(runloom.store.apiKeys).revoke(opts.workspace, keyId);
        process.stdout.write(`revoked ${keyId}\n`);
        return 0;
      }),
    );
}
