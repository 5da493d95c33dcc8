/**
 * `runloom swarms start|list|show|patch|rollback|watch|stop|audit`: swarms in the local store, or
 * on `--server` (the key's workspace). `patch` takes operations as JSON (`--op`, repeatable, or
 * `--ops-file`); `watch` prints one line per change until interrupted or `--count` changes.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configBeside } from '../ai/config.js';
import { RequestError } from '../errors.js';
import type { PatchOp } from '../swarm/patch.js';
import type { Swarm } from '../swarm/swarms.js';
import { type GlobalOptions, openRunloom } from './context.js';
import { withRunloom } from './runs-commands.js';
import { createApiClient, type ServerOptions, serverUrl } from './server-client.js';
import { localSwarms, remoteSwarms, type SwarmsClient } from './swarms-client.js';

type Options = GlobalOptions & ServerOptions & { workspace?: string };
type SwarmsAction = (swarms: SwarmsClient, options: Options) => Promise<number>;

/** `swarmFile`: a swarm file whose folder's runloom.config.yaml gives the agents' models (as `runloom run` finds a flow's). */
async function withSwarms(command: Command, action: SwarmsAction, swarmFile?: string): Promise<void> {
  const options = command.optsWithGlobals() as Options;
  const url = serverUrl(options);
  if (url) {
    process.exitCode = await action(remoteSwarms(createApiClient(url)), options);
    return;
  }
  const beside = swarmFile && options.config === undefined ? configBeside(swarmFile) : undefined;
  if (!beside) {
    await withRunloom(command, false, (runloom) => action(localSwarms(runloom, options.workspace ?? 'default'), options));
    return;
  }
  const runloom = await openRunloom({ ...options, config: beside }, false);
  try {
    process.exitCode = await action(localSwarms(runloom, options.workspace ?? 'default'), options);
  } finally {
    await runloom.close();
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function printSwarm(swarm: Swarm, json: boolean | undefined): number {
  if (json) {
    out(JSON.stringify(swarm));
    return 0;
  }
  const { context } = swarm;
  out(`${swarm.id}  ${swarm.name}  ${swarm.status}  version ${swarm.version}`);
  out(`goal: ${context.goal}`);
  out(`team: ${context.team.map((a) => `${a.id} (${a.role})`).join(', ') || '(none)'}`);
  out(`budget: ${context.resources.budget}`);
  for (const [key, entry] of Object.entries(context.blackboard)) {
    out(`blackboard.${key} = ${JSON.stringify(entry.value)}  (${entry.author})`);
  }
  for (const [id, task] of Object.entries(context.subtasks)) out(`subtask ${id}: ${task.status} ${task.title}`);
  return 0;
}

function opsOf(opts: { op: string[]; opsFile?: string }): PatchOp[] {
  const parse = (text: string, where: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new RequestError('BAD_REQUEST', `${where} is not JSON: ${(error as Error).message}`);
    }
  };
  const ops = opts.op.map((text, i) => parse(text, `--op #${i + 1}`));
  if (opts.opsFile) {
    const list = parse(readFileSync(opts.opsFile, 'utf8'), `--ops-file ${opts.opsFile}`);
    if (!Array.isArray(list))
      throw new RequestError('BAD_REQUEST', `--ops-file ${opts.opsFile} must hold a JSON array of operations`);
    ops.push(...list);
  }
  if (ops.length === 0)
    throw new RequestError('BAD_REQUEST', 'give at least one operation: --op \'{"op":"set","path":"goal","value":"…"}\'');
  return ops as PatchOp[];
}

const positive = (text: string | undefined, flag: string): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new RequestError('BAD_REQUEST', `${flag} must be a whole number, not '${text}'`);
  return n;
};

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSwarmsCommands(program: Command): void {
  const swarms = program
    .command('swarms')
    .description('swarms: shared versioned context, budgets and agents (locally, or on --server)')
    .option('--workspace <name>', 'the workspace of a local store (default: default)');
  swarms
    .command('start <file>')
    .description('start a swarm from its swarm file (goal, team, policies, budget)')
    .option('--author <name>', 'who starts it')
    .option('--agents', 'set the team to work: start the coordinator run (agents take turns)')
    .option('--wait', 'with --agents: wait until the coordinator stops, then print the swarm')
    .action((file: string, opts: { author?: string; agents?: boolean; wait?: boolean }, command: Command) =>
      withSwarms(
        command,
        async (client, options) => {
          const swarm = await client.start(readFileSync(file, 'utf8'), opts.author);
          if (!opts.agents) return printSwarm(swarm, options.json);
          const started = await client.startAgents(swarm.id);
          if (!opts.wait) {
            if (!options.json) out(`coordinator run ${started.id} started`);
            return printSwarm(swarm, options.json);
          }
          const run = await client.waitRun(started.id);
          const stop = (run.output as { stop?: string } | undefined)?.stop;
          if (!options.json)
            out(`coordinator run ${run.id} ${run.status}${stop ? ` (stopped on ${stop})` : ''}, ${run.usage.credits} credits`);
          const code = printSwarm(await client.show(swarm.id), options.json);
          return run.status === 'completed' ? code : 1;
        },
        file,
      ),
    );
  swarms.command('list').action((_opts: unknown, command: Command) =>
    withSwarms(command, async (client, options) => {
      const list = await client.list();
      if (options.json) out(JSON.stringify(list));
      for (const s of options.json ? [] : list) out(`${s.id}  ${s.name.padEnd(24)} ${s.status.padEnd(8)} v${s.version}`);
      return 0;
    }),
  );
  swarms
    .command('show <swarmId>')
    .action((id: string, _opts: unknown, command: Command) =>
      withSwarms(command, async (client, options) => printSwarm(await client.show(id), options.json)),
    );
  swarms
    .command('patch <swarmId>')
    .description('apply operations atomically (set, delete, append, increment, merge, deepMerge)')
    .option('--op <json>', 'one operation as JSON (repeatable)', collect, [])
    .option('--ops-file <file>', 'a JSON array of operations')
    .option('--expected-version <n>', 'refuse unless the swarm is still at this version')
    .option('--author <name>', 'who writes (default cli)')
    .action((id: string, opts: { op: string[]; opsFile?: string; expectedVersion?: string; author?: string }, command: Command) =>
      withSwarms(command, async (client, options) => {
        const expectedVersion = positive(opts.expectedVersion, '--expected-version');
        const swarm = await client.patch(id, opsOf(opts), {
          author: opts.author ?? 'cli',
          ...(expectedVersion ? { expectedVersion } : {}),
        });
        if (options.json) out(JSON.stringify(swarm));
        else out(`${swarm.id} is at version ${swarm.version}`);
        return 0;
      }),
    );
  swarms
    .command('rollback <swarmId> <version>')
    .description('roll back to a kept version (a new version)')
    .action((id: string, version: string, _opts: unknown, command: Command) =>
      withSwarms(command, async (client, options) => {
        const swarm = await client.rollback(id, positive(version, 'version') as number, 'cli');
        if (options.json) out(JSON.stringify(swarm));
        else out(`${swarm.id} is at version ${swarm.version} (the context of version ${version})`);
        return 0;
      }),
    );
  swarms
    .command('watch <swarmId>')
    .description('print changes as they happen, one line each (NDJSON with --json)')
    .option('--from <version>', 'start after this version (default: now)')
    .option('--paths <globs>', 'only these paths, comma-separated (blackboard.*, subtasks.**)')
    .option('--types <names>', 'only these operations or kinds, comma-separated')
    .option('--author <name>', "only this author's changes")
    .option('--count <n>', 'stop after this many changes')
    .action(
      (id: string, opts: { from?: string; paths?: string; types?: string; author?: string; count?: string }, command: Command) =>
        withSwarms(command, async (client, options) => {
          const count = positive(opts.count, '--count');
          const abort = new AbortController();
          const stop = () => abort.abort();
          process.once('SIGINT', stop);
          let seen = 0;
          const fromVersion = positive(opts.from, '--from');
          await client.watch(
            id,
            {
              ...(fromVersion !== undefined ? { fromVersion } : {}),
              ...(opts.paths ? { paths: opts.paths.split(',') } : {}),
              ...(opts.types ? { types: opts.types.split(',') as never } : {}),
              ...(opts.author ? { author: opts.author } : {}),
            },
            (batch) => {
              for (const change of batch) {
                if (abort.signal.aborted) return;
                out(
                  options.json
                    ? JSON.stringify(change)
                    : `v${change.version} ${change.kind} by ${change.author}: ${JSON.stringify(change.ops)}`,
                );
                if (count !== undefined && ++seen >= count) abort.abort();
              }
            },
            abort.signal,
          );
          process.off('SIGINT', stop);
          return 0;
        }),
    );
  swarms
    .command('stop <swarmId>')
    .action((id: string, _opts: unknown, command: Command) =>
      withSwarms(command, async (client, options) => printSwarm(await client.stop(id, 'cli'), options.json)),
    );
  swarms
    .command('audit <swarmId>')
    .description('derive the balance from the ledger and check every account (exit 1 on a problem)')
    .action((id: string, _opts: unknown, command: Command) =>
      withSwarms(command, async (client, options) => {
        const report = await client.audit(id);
        if (options.json) out(JSON.stringify(report));
        else {
          out(
            `budget ${report.budget}  spent ${report.spent}  held ${report.held}  available ${report.available}  (${report.entries} entries)`,
          );
          out(report.ok ? 'ledger ok' : `ledger has ${report.problems.length} problem(s):`);
          for (const problem of report.problems) out(`  ${problem}`);
        }
        return report.ok ? 0 : 1;
      }),
    );
}
