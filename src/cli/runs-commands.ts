/** `runloom runs …`: inspect and control runs, in the configured store or on a server (`--server`). */
import type { Command } from 'commander';
import type { RunView } from '../api/runs.js';
import type { RunStatus } from '../engine/types.js';
import { RUN_STATUSES, TERMINAL_STATUSES } from '../engine/types.js';
import { RequestError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import { type GlobalOptions, openRunloom } from './context.js';
import { eventLine, ndjsonEvent } from './display.js';
import { parseJsonOption } from './inputs.js';
import { untilInterrupted } from './interrupt.js';
import { stdoutClosed } from './output.js';
import { printable } from './printable.js';
import { printRunList } from './run-list.js';
import { localRuns, type RunsClient, remoteRuns } from './runs-client.js';
import { createApiClient, type ServerOptions, serverUrl } from './server-client.js';
import { exitCodeOf, limitsLine, printSummary, tailRun, watchRun } from './watch.js';

type Action = (runloom: Runloom, options: GlobalOptions) => Promise<number>;
type RunsAction = (runs: RunsClient, options: GlobalOptions) => Promise<number>;

/** Opens Runloom with the command's global options, runs `action`, sets the exit code, closes. */
export async function withRunloom(command: Command, recover: boolean, action: Action): Promise<void> {
  const options = command.optsWithGlobals() as GlobalOptions;
  const runloom = await openRunloom(options, recover);
  try {
    process.exitCode = await action(runloom, options);
  } finally {
    await runloom.close();
  }
}

/** Runs `action` on the server named by --server / RUNLOOM_SERVER, else on the local store. */
async function withRuns(command: Command, action: RunsAction): Promise<void> {
  const options = command.optsWithGlobals() as GlobalOptions & ServerOptions;
  const url = serverUrl(options);
  if (url) {
    process.exitCode = await action(remoteRuns(createApiClient(url)), options);
    return;
  }
  await withRunloom(command, false, (runloom, o) => action(localRuns(runloom), o));
}

function printView(view: RunView, json: boolean | undefined): number {
  if (json) process.stdout.write(`${JSON.stringify(view)}\n`);
  else printSummary(view);
  return exitCodeOf(view);
}

/**
 * After a control that lets the run go on, this process follows it until it settles again (a
 * local store: this process drives it). The display starts after the last event logged *before*
 * the control, so the control's own events and the steps it set off right away are shown too.
 */
const controlThenWatch =
  (runId: string, send: (runs: RunsClient) => Promise<RunView>): RunsAction =>
  async (runs, options) => {
    const eventSeq = await runs.lastSeq(runId);
    await send(runs);
    return watchRun(runs, runId, options.json, eventSeq);
  };

/**
 * A signal no wait or boundary of the run's flow listens for is kept by the run but answers
 * nothing: most likely a typo, so say so (the command goes on, and exits as the run stands).
 */
async function warnUnusedSignal(runs: RunsClient, runId: string, name: string): Promise<void> {
  const heard = await runs.signalsHeard(runId);
  if (!heard || heard.names.includes(name)) return;
  const known =
    heard.names.length > 0 ? `it listens for ${heard.names.map((n) => `'${n}'`).join(', ')}` : 'it listens for no signal';
  process.stderr.write(
    `${printable(`warning: no wait in flow '${heard.flow}' uses signal '${name}' (${known}); the signal is kept but answers nothing`)}\n`,
  );
}

/**
 * A paused run is resumed; one left by its process (crashed, or stopped with SIGTERM) is taken
 * over by this one — at once if free, when its lease runs out if its holder died — and driven
 * (overdue timers fire on takeover). Either way this process follows it until it settles.
 */
const resumeAndWatch =
  (runId: string): Action =>
  async (runloom, options) => {
    const state = await runloom.runs.state(runId);
    // A paused run resumes; an ended one is refused by the engine, with the reason.
    if (state.status === 'paused' || TERMINAL_STATUSES.has(state.status)) {
      return controlThenWatch(runId, (r) => r.resume(runId))(localRuns(runloom), options);
    }
    runloom.keep(runId);
    return untilInterrupted(runloom, runId, () => watchRun(localRuns(runloom), runId, options.json, state.eventSeq));
  };

function parseStatuses(text: string | undefined): RunStatus[] | undefined {
  if (!text) return undefined;
  const statuses = text.split(',');
  for (const status of statuses) {
    if (!(RUN_STATUSES as readonly string[]).includes(status)) {
      throw new RequestError('BAD_REQUEST', `--status '${status}': expected one of ${RUN_STATUSES.join(', ')}`);
    }
  }
  return statuses as RunStatus[];
}

/** Digits only: `Number()` would take '', ' ', '1e3', '0x10' and '1.0'. */
function wholeNumber(name: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const value = /^[0-9]+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min)
    throw new RequestError('BAD_REQUEST', `${name} must be a whole number ≥ ${min}, not '${text}'`);
  return value;
}

/** Registers `runloom runs …` and returns the `runs` command, for the commands other files add to it. */
export function registerRunsCommands(program: Command): Command {
  const runs = program.command('runs').description('inspect and control runs');

  runs
    .command('list')
    .description('list runs, most recently updated first')
    .option('--status <list>', `comma-separated statuses (${RUN_STATUSES.join(', ')})`)
    .option('--flow <id>', 'only runs of this flow')
    .option('--limit <n>', 'at most n runs', '50')
    .action((opts: { status?: string; flow?: string; limit?: string }, command: Command) => {
      const status = parseStatuses(opts.status);
      const limit = wholeNumber('--limit', opts.limit, 1) ?? 50;
      return withRuns(command, async (runs, options) => {
        const list = await runs.list({
          ...(status ? { status } : {}),
          ...(opts.flow ? { flowId: opts.flow } : {}),
          limit,
        });
        if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else printRunList(list);
        return 0;
      });
    });

  runs
    .command('show <runId>')
    .description('show a run: status, usage against its limits, what it waits for, its branches')
    .option('--steps', 'also list the step records (failed attempts with their error)')
    .action((runId: string, opts: { steps?: boolean }, command: Command) =>
      withRuns(command, async (runs, options) => {
        const view = await runs.get(runId);
        if (options.json) {
          const steps = opts.steps ? await runs.steps(runId) : undefined;
          process.stdout.write(`${JSON.stringify(steps ? { ...view, steps } : view)}\n`);
          return exitCodeOf(view);
        }
        printSummary(view);
        process.stdout.write(`${limitsLine(view)}\n`);
        for (const b of view.progress.branches)
          process.stdout.write(
            `${printable(`  branch ${b.branch} at ${b.nodeId}: ${b.status}${b.waitingFor ? ` for ${b.waitingFor}` : ''}`)}\n`,
          );
        if (opts.steps) {
          for (const step of await runs.steps(runId)) {
            const error = step.error ? `  [${step.error.code}] ${step.error.message}` : '';
            process.stdout.write(
              `  ${printable(`#${step.seq} ${step.nodeId}${step.item !== undefined ? `[${step.item}]` : ''} attempt ${step.attempt} ${step.status} ${step.endedAt - step.startedAt} ms${error}`)}\n`,
            );
          }
        }
        return exitCodeOf(view);
      }),
    );

  runs
    .command('tail <runId>')
    .description("print a run's events")
    .option('--from <seq>', 'start after this event sequence number', '0')
    .option('--follow', 'go on with new events (and the text AI steps write) until the run finishes')
    .action((runId: string, opts: { from: string; follow?: boolean }, command: Command) => {
      const after = wholeNumber('--from', opts.from) ?? 0;
      return withRuns(command, async (runs, options) => {
        if (opts.follow) return tailRun(runs, runId, options.json, after);
        for (const event of await runs.events(runId, after)) {
          process.stdout.write(options.json ? ndjsonEvent(runId, event) : `${eventLine(event)}\n`);
          if (stdoutClosed()) break; // the reader has gone (`| head`): nothing more to show
        }
        return 0;
      });
    });

  const simple = (
    name: string,
    description: string,
    send: (runs: RunsClient, runId: string) => Promise<RunView>,
    watch: boolean,
  ) =>
    runs
      .command(`${name} <runId>`)
      .description(description)
      .action((runId: string, _opts: unknown, command: Command) =>
        withRuns(
          command,
          watch ? controlThenWatch(runId, (r) => send(r, runId)) : async (r, o) => printView(await send(r, runId), o.json),
        ),
      );
  simple('pause', 'pause a run (steps in flight finish; no new step starts)', (r, id) => r.pause(id), false);
  simple('cancel', 'cancel a run', (r, id) => r.cancel(id), false);
  runs
    .command('resume <runId>')
    .description('resume a paused run, or take over one its process left (crashed or stopped), and follow it')
    .action((runId: string, _opts: unknown, command: Command) =>
      serverUrl(command.optsWithGlobals() as ServerOptions)
        ? withRuns(
            command,
            controlThenWatch(runId, (r) => r.resume(runId)),
          )
        : withRunloom(command, false, resumeAndWatch(runId)),
    );

  runs
    .command('retry <runId>')
    .description('retry the failed steps of a run (or of one node) and follow it')
    .option('--node <nodeId>', 'only the failed step at this node')
    .action((runId: string, opts: { node?: string }, command: Command) =>
      withRuns(
        command,
        controlThenWatch(runId, (r) => r.retry(runId, opts.node)),
      ),
    );

  runs
    .command('signal <runId> <name>')
    .description('send a signal to a run and follow it')
    .option('--data <json>', 'the signal payload (JSON)')
    .action((runId: string, name: string, opts: { data?: string }, command: Command) => {
      const payload = parseJsonOption('--data', opts.data); // refused before the store is opened
      return withRuns(
        command,
        controlThenWatch(runId, async (r) => {
          await warnUnusedSignal(r, runId, name);
          return r.signal(runId, name, payload);
        }),
      );
    });

  runs
    .command('callback <runId> <nodeId>')
    .description('answer a wait (or a task) that waits for a callback at a node, and follow the run')
    .option('--data <json>', 'the output (JSON)')
    .option('--failed <message>', 'report a failure instead')
    .action((runId: string, nodeId: string, opts: { data?: string; failed?: string }, command: Command) => {
      if (opts.failed !== undefined && opts.data !== undefined)
        throw new RequestError('BAD_REQUEST', 'give either --data or --failed, not both');
      const result =
        opts.failed !== undefined
          ? ({ status: 'failed', error: { code: 'CALLBACK_FAILED', message: opts.failed } } as const)
          : ({ status: 'completed', output: parseJsonOption('--data', opts.data) } as const);
      return withRuns(
        command,
        controlThenWatch(runId, (r) => r.callback(runId, nodeId, result)),
      );
    });

  runs
    .command('decide <runId> <nodeId> <to>')
    .description('take a manual decision: the edge from <nodeId> to the node <to>, and follow the run')
    .option('--reason <text>', 'why (recorded)')
    .action((runId: string, nodeId: string, to: string, opts: { reason?: string }, command: Command) =>
      withRuns(
        command,
        controlThenWatch(runId, (r) => r.decide(runId, nodeId, to, opts.reason)),
      ),
    );

  runs
    .command('say <runId> <nodeId> [text]')
    .description("a person's message to a conversation (an ai step waiting for one), then follow the run to the reply")
    .option('--end', 'end the conversation (with or without last words)')
    .action((runId: string, nodeId: string, text: string | undefined, opts: { end?: boolean }, command: Command) => {
      if (!opts.end && (text === undefined || text.trim() === ''))
        throw new RequestError('BAD_REQUEST', `say what to '${nodeId}': give the text, or --end to end the conversation`);
      return withRuns(
        command,
        controlThenWatch(runId, (r) => r.say(runId, nodeId, text ?? '', opts.end === true)),
      );
    });

  runs
    .command('limits <runId>')
    .description('change the limits of a run, never below what it has used (then `runs resume` it if it paused on one)')
    .option('--max-steps <n>', 'most steps (node entries) the run may take')
    .option('--max-time-ms <n>', 'most active time in ms (waiting and paused time do not count)')
    .option('--max-credits <n>', 'most credits its actions may cost')
    .action((runId: string, opts: { maxSteps?: string; maxTimeMs?: string; maxCredits?: string }, command: Command) => {
      const limits = {
        ...(opts.maxSteps !== undefined ? { maxSteps: wholeNumber('--max-steps', opts.maxSteps) } : {}),
        ...(opts.maxTimeMs !== undefined ? { maxTime: wholeNumber('--max-time-ms', opts.maxTimeMs) } : {}),
        ...(opts.maxCredits !== undefined ? { maxCredits: wholeNumber('--max-credits', opts.maxCredits) } : {}),
      };
      if (Object.keys(limits).length === 0)
        throw new RequestError('BAD_REQUEST', 'name at least one of --max-steps, --max-time-ms, --max-credits');
      return withRuns(command, async (r, o) => {
        const view = await r.raiseLimits(runId, limits);
        if (!o.json) process.stdout.write(`${limitsLine(view)}\n`);
        return printView(view, o.json);
      });
    });
  return runs;
}
