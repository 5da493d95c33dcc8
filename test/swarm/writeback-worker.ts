/**
 * Child process of the write-back crash test: `node --import tsx writeback-worker.ts <dbPath>`.
 * The first time, starts a swarm and one run of a flow whose 40 steps each append their number to
 * `blackboard.log` through `swarm.patch`, each followed by an 80 ms delay (so a run lives long
 * enough to be killed a dozen times whatever the machine's speed); later times, recovery
 * resumes the run. Prints `ready` once the run is under way and `done <status>` when it ends.
 */
import { createRunloom } from '../../src/runloom.js';

export const WRITES = 40;
const [dbPath] = process.argv.slice(2) as [string];
const runloom = await createRunloom({ store: dbPath, durability: 'strict' });
const flow = {
  format: 'runloom/v1',
  id: 'writes',
  defaults: { limits: { maxSteps: 2 * WRITES + 10 } },
  nodes: [
    { id: 'start', type: 'start' },
    ...Array.from({ length: WRITES }, (_, i) => [
      {
        id: `w${i}`,
        type: 'task',
        action: 'swarm.patch',
        input: { swarm: '=input.swarm', ops: [{ op: 'append', path: 'blackboard.log', value: i }] },
      },
      { id: `d${i}`, type: 'task', action: 'delay', input: { ms: 80 } },
    ]).flat(),
    { id: 'done', type: 'end' },
  ],
  edges: ['start', ...Array.from({ length: WRITES }, (_, i) => [`w${i}`, `d${i}`]).flat(), 'done']
    .map((from, i, all) => ({
      from,
      to: all[i + 1],
    }))
    .slice(0, -1),
};
if ((await runloom.swarms.list()).length === 0) await runloom.swarms.start('goal: write\nbudget: 0\n');
const [swarm] = await runloom.swarms.list();
if (!(await runloom.flows.list()).some((f) => f.flowId === 'writes' && f.latestVersion !== undefined))
  await runloom.flows.publish(flow);
if ((await runloom.runs.list({ flowId: 'writes' })).length === 0) await runloom.runs.start('writes', { swarm: swarm?.id });
const [run] = await runloom.runs.list({ flowId: 'writes' });
process.stdout.write(`ready ${swarm?.id}\n`);
const final = await runloom.runs.wait(run?.id as string);
process.stdout.write(`done ${final.status}\n`);
await runloom.close();
