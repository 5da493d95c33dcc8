/**
 * Child process of the restart tests: `node --import tsx test/crash/rpc-worker.ts <dbPath> [--no-recover]`.
 * Opens Runloom on a SQLite file in strict mode (recovering by default), publishes the test flows
 * if they are missing, prints `ready <recovered>`, then answers one JSON command per stdin line
 * with one JSON line `{"id":…, …}`:
 *
 * - `{"cmd":"start","flow":"nap"}` → `{runId}` once the run's first checkpoint is durable
 * - `{"cmd":"wait","runId","reason"?}` → `{status, reason, vars}` when terminal (or at `reason`)
 * - `{"cmd":"signal","runId","name","payload"}` → `{status, reason}`
 * - `{"cmd":"events","runId"}` → `{events}`
 * - `{"cmd":"exit"}` → closes Runloom and exits 0
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { TERMINAL_STATUSES } from '../../src/engine/types.js';
import { toErrorInfo } from '../../src/errors.js';
import { createRunloom } from '../../src/runloom.js';

const [dbPath, flag] = process.argv.slice(2);
if (!dbPath) {
  process.stderr.write('usage: rpc-worker.ts <dbPath> [--no-recover]\n');
  process.exit(2);
}

const stamp = defineAction({
  name: 'test.stamp',
  input: z.object({ text: z.string() }),
  run: ({ text }) => ({ text, pid: process.pid }),
});

/** Test flows: a 2 s timer before a signal wait, and a signal wait alone. */
const FLOWS: Record<string, unknown>[] = [
  {
    format: 'runloom/v1',
    id: 'nap',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'nap', type: 'timer', duration: '2s' },
      { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'nap' },
      { from: 'nap', to: 'gate' },
      { from: 'gate', to: 'end' },
    ],
  },
  {
    format: 'runloom/v1',
    id: 'gate',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
      { id: 'after', type: 'task', action: 'test.stamp', input: { text: '=vars.gate.word' }, output: 'after' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'gate' },
      { from: 'gate', to: 'after' },
      { from: 'after', to: 'end' },
    ],
  },
];

const runloom = await createRunloom({
  store: dbPath,
  durability: 'strict',
  actions: [stamp],
  recover: flag !== '--no-recover',
  log: (message, data) => process.stderr.write(`${message} ${JSON.stringify(data)}\n`),
});
const published = new Set((await runloom.flows.list()).filter((f) => f.latestVersion !== undefined).map((f) => f.flowId));
for (const flow of FLOWS) if (!published.has(flow.id as string)) await runloom.flows.publish(flow);
process.stdout.write(`ready ${runloom.recovered}\n`);

type Command = { id: number; cmd: string; [key: string]: unknown };

async function handle(command: Command): Promise<Record<string, unknown>> {
  switch (command.cmd) {
    case 'start': {
      const run = await runloom.runs.start(command.flow as string, command.input ?? {});
      return { runId: run.id, status: run.status, reason: run.reason };
    }
    case 'wait': {
      const reason = command.reason as string | undefined;
      const run = await runloom.runs.wait(command.runId as string, (s) => TERMINAL_STATUSES.has(s.status) || s.reason === reason);
      return { status: run.status, reason: run.reason, vars: run.vars };
    }
    case 'signal': {
      const run = await runloom.runs.signal(command.runId as string, command.name as string, command.payload);
      return { status: run.status, reason: run.reason };
    }
    case 'events':
      return { events: await runloom.runs.events(command.runId as string) };
    case 'exit':
      await runloom.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  handle(command).then(
    (reply) => process.stdout.write(`${JSON.stringify({ id: command.id, ok: true, ...reply })}\n`),
    (error) => process.stdout.write(`${JSON.stringify({ id: command.id, error: toErrorInfo(error) })}\n`),
  );
});
