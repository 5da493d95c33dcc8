/**
 * The `runloom` command. Exit codes: 0 completed, 1 failed or cancelled, 2 bad input (flow file,
 * arguments, request refused), 3 left waiting or paused.
 */
import { Command, CommanderError } from 'commander';
import { RunloomError } from '../errors.js';
import { runCommand } from './run-command.js';
import { registerRunsCommands } from './runs-commands.js';
import { validateFiles } from './validate-command.js';
import { EXIT } from './watch.js';

const program = new Command('runloom')
  .description('Runloom: a durable run engine for AI routines and business automations')
  .option('--store <url>', 'memory:, a SQLite file path (default ./.runloom/runloom.db); env RUNLOOM_DATABASE_URL')
  .option('--durability <mode>', 'strict (fsync at commit) or normal; env RUNLOOM_DURABILITY')
  .option('--json', 'machine-readable output (NDJSON for streams)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('run <fileOrFlow>')
  .description('run a flow file (publishing it and the flows beside it) or a published flow id[@version]')
  .option('-i, --input <key=value>', 'an input field (repeatable; JSON values are parsed)', collect, [])
  .option('--input-file <file>', 'input as a JSON object file')
  .action(async (target: string, opts: { input: string[]; inputFile?: string }, command: Command) => {
    process.exitCode = await runCommand(target, { ...command.optsWithGlobals(), ...opts });
  });

program
  .command('validate <files...>')
  .description('validate flow files; every problem with its path and code')
  .action((files: string[], _opts: unknown, command: Command) => {
    process.exitCode = validateFiles(files, command.optsWithGlobals().json);
  });

registerRunsCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.badInput;
  } else if (error instanceof RunloomError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode =
      error.code === 'NOT_FOUND' ||
      error.code.endsWith('INVALID') ||
      error.code === 'BAD_REQUEST' ||
      error.code === 'RUN_STATUS' ||
      error.code === 'NOT_WAITING' ||
      error.code === 'NOTHING_TO_RETRY'
        ? EXIT.badInput
        : EXIT.failed;
  } else {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
