/**
 * The `runloom` command. Exit codes: 0 completed, 1 failed or cancelled, 2 bad input (flow file,
 * arguments, request refused), 3 left waiting or paused.
 */
import { Command, CommanderError } from 'commander';
import { FlowInvalidError, RequestError, RunloomError } from '../errors.js';
import { registerBpmnCommands } from './bpmn-commands.js';
import { registerFlowsCommands } from './flows-commands.js';
import { registerJourneysCommands } from './journeys-commands.js';
import { registerKeysCommands } from './keys-commands.js';
import { registerModelsCommands } from './models-command.js';
import { watchStdout } from './output.js';
import { printable } from './printable.js';
import { registerPromptCommands } from './prompt-commands.js';
import { registerRetentionCommands } from './retention-commands.js';
import { runCommand } from './run-command.js';
import { registerRunsCommands } from './runs-commands.js';
import { registerSwarmsCommands } from './swarms-commands.js';
import { EXIT } from './watch.js';

const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command('runloom')
  .description('Runloom: a durable run engine for AI routines and business automations')
  .option(
    '--store <url>',
    'memory:, a SQLite file path (default ./.runloom/runloom.db) or postgres://…; env RUNLOOM_DATABASE_URL',
  )
  .option('--actions <module>', 'a module exporting actions besides the built-ins (repeatable)', collect, [])
  .option('--bus <url>', 'redis://… so processes sharing a PostgreSQL store hear each other; env RUNLOOM_REDIS_URL')
  .option('--durability <mode>', 'strict (fsync at commit) or normal; env RUNLOOM_DURABILITY')
  .option('--config <file>', 'the config file with models and prices (default ./runloom.config.yaml); env RUNLOOM_CONFIG')
  .option(
    '--server <url>',
    'talk to a Runloom server (flows, runs) instead of a store; env RUNLOOM_SERVER, key in RUNLOOM_API_KEY',
  )
  .option('--json', 'machine-readable output (NDJSON for streams)')
  .option('--bpmn-scripts', 'run BPMN script tasks (JavaScript) in the script sandbox: 1 s of CPU and 64 MB per script')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('run <fileOrFlow>')
  .description('run a flow file (publishing it and the flows beside it) or a published flow id[@version]')
  .option('-i, --input <key=value>', 'an input field (repeatable; JSON values are parsed)', collect, [])
  .option('--input-file <file>', 'input as a JSON object file')
  .option('--queue', 'shared store: leave the run to the workers (`runloom worker`) and follow it')
  .action(async (target: string, opts: { input: string[]; inputFile?: string; queue?: boolean }, command: Command) => {
    process.exitCode = await runCommand(target, { ...command.optsWithGlobals(), ...opts });
  });

program
  .command('validate <files...>')
  .description('validate flow files; every problem with its path and code')
  .action(async (files: string[], _opts: unknown, command: Command) => {
    const { validateFiles } = await import('./validate-command.js'); // loads the flow validator
    const globals = command.optsWithGlobals();
    process.exitCode = await validateFiles(files, globals.json, globals.bpmnScripts === true);
  });

registerRetentionCommands(registerRunsCommands(program));
registerBpmnCommands(program);
registerModelsCommands(program);
registerFlowsCommands(program);
registerKeysCommands(program);
registerSwarmsCommands(program);
registerPromptCommands(program);
registerJourneysCommands(program);

program
  .command('worker')
  .description('drive every unfinished run of the store (a SQLite file or postgres://…) until SIGINT/SIGTERM')
  .option('--capacity <n>', 'most runs held at once (default 2000)')
  .option('--poll-ms <ms>', 'safety-net poll interval (default 1000)')
  .option('--id <name>', 'worker id in leases and step records (default host:pid:random)')
  .action(async (opts: Record<string, unknown>, command: Command) => {
    const { workerCommand } = await import('./worker-command.js');
    process.exitCode = await workerCommand({ ...command.optsWithGlobals(), ...opts });
  });

program
  .command('serve')
  .description('the HTTP API (embedded: runs execute here; with --store postgres://… --bus redis://…: a relay for workers)')
  .option('--host <host>', 'address to listen on (default 127.0.0.1); env RUNLOOM_HOST')
  .option('--port <port>', 'port (default 4000; 0 picks one); env RUNLOOM_PORT')
  .option('--require-keys', 'require an API key even on loopback with the embedded store')
  .option('--body-limit <bytes>', 'largest request body (default 1048576)')
  .option('--smtp-port <port>', "also accept inbound email for hooks' addresses on this port (journeys)")
  .action(async (opts: Record<string, unknown>, command: Command) => {
    const { serveCommand } = await import('./serve-command.js');
    process.exitCode = await serveCommand({ ...command.optsWithGlobals(), ...opts });
  });

/** Refusals (bad arguments, invalid flow or input, unknown ids, wrong status) exit 2; anything else 1. */
function exitCodeOfError(error: unknown): number {
  if (error instanceof RequestError || error instanceof FlowInvalidError) return EXIT.badInput;
  if (!(error instanceof RunloomError)) return EXIT.failed;
  return error.code.endsWith('INVALID') || error.code.startsWith('INVALID_') || error.code === 'STORE_UNSUPPORTED'
    ? EXIT.badInput
    : EXIT.failed;
}

/** One line (a flow's problems add theirs) naming the code; the stack only with RUNLOOM_DEBUG=1. */
function reportError(error: unknown): void {
  const debug = Boolean(process.env.RUNLOOM_DEBUG);
  if (error instanceof FlowInvalidError) {
    // A flow's problems are lines of their own, each escaped apart (a newline in an id stays `\n`).
    const lines = error.problems.map((p) => `  ${printable(p.path || '(root)')}: [${p.code}] ${printable(p.message)}`);
    const listed = error.problems.map((p) => `  ${p.path || '(root)'}: [${p.code}] ${p.message}`).join('\n');
    const head = error.message.slice(0, error.message.length - listed.length).trimEnd();
    process.stderr.write(`error: [${error.code}] ${[printable(head), ...lines].join('\n')}\n`);
  } else if (error instanceof RunloomError) {
    // An error that lists problems (a config file's) prints each on a line of its own, escaped apart.
    const listed = (error.details as { problems?: unknown } | undefined)?.problems;
    if (Array.isArray(listed) && listed.every((p) => typeof p === 'string')) {
      const head = error.message.split('\n')[0];
      process.stderr.write(`error: [${error.code}] ${[printable(head), ...listed.map((p) => `  ${printable(p)}`)].join('\n')}\n`);
    } else process.stderr.write(`error: [${error.code}] ${printable(error.message)}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    if (debug && error.cause instanceof Error) process.stderr.write(`caused by: ${error.cause.stack ?? error.cause.message}\n`);
  } else if (error instanceof Error) {
    process.stderr.write(`error: ${printable(error.message)}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('(set RUNLOOM_DEBUG=1 for the stack trace)\n');
  } else {
    process.stderr.write(`error: ${printable(String(error))}\n`);
  }
}

watchStdout();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) through configureOutput already.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.badInput;
  } else {
    reportError(error);
    process.exitCode = exitCodeOfError(error);
  }
}
