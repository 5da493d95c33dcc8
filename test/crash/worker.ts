/**
 * Child process of the crash test:
 * `node --import tsx test/crash/worker.ts <dbPath> <logPath> [lingerMs] [--standby]`.
 *
 * Opens Runloom on a SQLite file in strict mode, publishes the 200-step flow and starts 20 runs
 * the first time; on later starts `recover` resumes what was running. Prints `ready <runs>
 * <recovered>` once work is under way and exits 0 when every run is completed (1 otherwise).
 *
 * `--standby`: load every module, print `standby`, and touch nothing until a `go` line arrives on
 * stdin. The test warms the next process this way while the current one runs, so the 20+ restarts
 * fit its time budget; the database is opened only after the previous process is dead.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createRunloom } from '../../src/runloom.js';
import { countAction, countFlow, FLOW_ID, RUNS } from './count-flow.js';

const args = process.argv.slice(2).filter((arg) => arg !== '--standby');
const [dbPath, logPath, linger = '50'] = args;
if (!dbPath || !logPath) {
  process.stderr.write('usage: worker.ts <dbPath> <logPath> [lingerMs] [--standby]\n');
  process.exit(2);
}
if (process.argv.includes('--standby')) {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('standby\n');
  for (;;) {
    const [line] = (await once(lines, 'line')) as [string];
    if (line.trim() === 'go') break;
  }
  lines.close();
}

const runloom = await createRunloom({
  store: dbPath,
  durability: 'strict',
  actions: [countAction(logPath, Number(linger))],
  log: (message, data) => process.stderr.write(`${message} ${JSON.stringify(data)}\n`),
});

// Idempotent set-up: publishing and starting are each one durable commit, so a kill in between
// leaves fewer runs than wanted, and the next start tops them up (never more than RUNS).
if (!(await runloom.flows.list()).some((flow) => flow.flowId === FLOW_ID && flow.latestVersion !== undefined)) {
  await runloom.flows.publish(countFlow());
}
const existing = await runloom.runs.list({ flowId: FLOW_ID });
for (let i = existing.length; i < RUNS; i++) await runloom.runs.start(FLOW_ID, {});
const runs = await runloom.runs.list({ flowId: FLOW_ID });
process.stdout.write(`ready ${runs.length} ${runloom.recovered}\n`);

const finals = await Promise.all(runs.map((run) => runloom.runs.wait(run.id)));
await runloom.close();
const bad = finals.filter((run) => run.status !== 'completed');
if (bad.length > 0) {
  process.stderr.write(`not completed: ${bad.map((run) => `${run.id}=${run.status}/${run.reason}`).join(', ')}\n`);
  process.exit(1);
}
process.stdout.write('done\n');
process.exit(0);
