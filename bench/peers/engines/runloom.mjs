/**
 * Runloom through its public API, the way a user drives it: createRunloom, flows.publish,
 * runs.start and runs.wait. Imported from the compiled package (dist/), not through tsx.
 *
 * Modes: `memory` (store 'memory:'), `normal` and `strict` (a SQLite file with that durability),
 * `postgres` (a PostgreSQL database of its own, created by the harness).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createRunloom, defineAction } from '../../../dist/src/index.js';
import { counter, FAN_OUT, SEQ_STEPS } from '../lib/workloads.mjs';

const countStep = () => {
  counter.steps++;
  return null;
};
const noop = defineAction({ name: 'bench.noop', input: z.any(), run: countStep });
// W4's BPMN service tasks name `\${environment.services.noop}`: the import calls the action `noop`.
const bpmnNoop = defineAction({ name: 'noop', input: z.any(), run: countStep });

const task = (id) => ({ id, type: 'task', action: 'bench.noop' });

function sequentialFlow() {
  const ids = Array.from({ length: SEQ_STEPS }, (_, i) => `t${i + 1}`);
  const chain = ['start', ...ids, 'end'];
  return {
    format: 'runloom/v1',
    id: 'bench-seq10',
    nodes: [{ id: 'start', type: 'start' }, ...ids.map(task), { id: 'end', type: 'end' }],
    edges: chain.slice(1).map((to, i) => ({ from: chain[i], to })),
  };
}

/** maxParallel is raised to the fan-out so every branch is in flight at once (the default is 10). */
function fanOutFlow() {
  const ids = Array.from({ length: FAN_OUT }, (_, i) => `b${i + 1}`);
  return {
    format: 'runloom/v1',
    id: 'bench-fan100',
    defaults: { limits: { maxParallel: FAN_OUT, maxSteps: FAN_OUT * 4 } },
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'fork', type: 'parallel' },
      ...ids.map(task),
      { id: 'join', type: 'parallel' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'fork' },
      ...ids.flatMap((id) => [
        { from: 'fork', to: id },
        { from: id, to: 'join' },
      ]),
      { from: 'join', to: 'end' },
    ],
  };
}

const waitFlow = () => ({
  format: 'runloom/v1',
  id: 'bench-wait',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'approval', type: 'wait', signal: 'go' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'approval' },
    { from: 'approval', to: 'end' },
  ],
});

const FLOWS_DIR = new URL('../flows/', import.meta.url);

function storeOf(mode, ctx) {
  if (mode === 'memory') return { store: 'memory:' };
  if (mode === 'normal' || mode === 'strict') return { store: join(ctx.dir, 'runloom.db'), durability: mode };
  if (mode === 'postgres') return { store: ctx.pgUrl };
  throw new Error(`runloom: unknown mode ${mode}`);
}

function expect(status, view) {
  if (view.status !== status) throw new Error(`run ${view.id} is '${view.status}', expected '${status}'`);
}

export async function open(mode, ctx) {
  const runloom = await createRunloom({ ...storeOf(mode, ctx), actions: [noop, bpmnNoop] });
  for (const flow of [sequentialFlow(), fanOutFlow(), waitFlow()]) await runloom.flows.publish(JSON.stringify(flow));
  // The BPMN file itself, imported on publish (its embedded sub-process is a scope of the same run).
  await runloom.flows.publish(readFileSync(new URL('w4.bpmn', FLOWS_DIR), 'utf8'), 'w4.bpmn');

  const oneByOne = async (flowId, runs) => {
    for (let i = 0; i < runs; i++) {
      const run = await runloom.runs.start(flowId, {});
      expect('completed', await runloom.runs.wait(run.id));
    }
  };
  return {
    W1: (runs) => oneByOne('bench-seq10', runs),
    W2: (runs) => oneByOne('bench-fan100', runs),
    async W3(runs) {
      const started = await Promise.all(Array.from({ length: runs }, () => runloom.runs.start('bench-seq10', {})));
      const done = await Promise.all(started.map((run) => runloom.runs.wait(run.id)));
      for (const view of done) expect('completed', view);
    },
    W4: (runs) => oneByOne('w4', runs),
    async W5(runs) {
      const parked = [];
      for (let i = 0; i < runs; i++) parked.push(await runloom.runs.start('bench-wait', {}));
      for (const view of parked) expect('waiting', view);
    },
    close: () => runloom.close(),
  };
}
