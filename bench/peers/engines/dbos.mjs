/**
 * DBOS Transact the way its docs write a durable workflow: functions registered with
 * `DBOS.registerWorkflow`, each step a `DBOS.runStep`, the system database on PostgreSQL
 * (a database of its own, created by the harness and dropped after). One mode: `postgres`.
 *
 * W1: the workflow awaited directly. W2: 100 steps started in order and awaited together
 * (Promise.all, as the docs allow for steps started in a deterministic order). W3: 1,000
 * `DBOS.startWorkflow` handles, then every `getResult()`. W5: workflows blocked in
 * `DBOS.recv()`. W4 is a BPMN file: DBOS does not read BPMN.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import { counter, FAN_OUT, SEQ_STEPS } from '../lib/workloads.mjs';

const noop = async () => {
  counter.steps++;
};

const sequential = DBOS.registerWorkflow(
  async () => {
    for (let i = 1; i <= SEQ_STEPS; i++) await DBOS.runStep(noop, { name: `t${i}` });
  },
  { name: 'seq10' },
);

const fanOut = DBOS.registerWorkflow(
  async () => {
    await Promise.all(Array.from({ length: FAN_OUT }, (_, i) => DBOS.runStep(noop, { name: `b${i + 1}` })));
  },
  { name: 'fan100' },
);

/** Parks until a message arrives on topic 'go' (a day at most). */
const waiting = DBOS.registerWorkflow(
  async () => {
    await DBOS.recv('go', 86_400);
  },
  { name: 'wait' },
);

export async function open(mode, ctx) {
  if (mode !== 'postgres') throw new Error(`dbos: unknown mode ${mode}`);
  DBOS.setConfig({ name: 'runloom-bench-peers', systemDatabaseUrl: ctx.pgUrl, logLevel: 'error', runAdminServer: false });
  await DBOS.launch();
  const oneByOne = async (workflow, runs) => {
    for (let i = 0; i < runs; i++) await workflow();
  };
  return {
    W1: (runs) => oneByOne(sequential, runs),
    W2: (runs) => oneByOne(fanOut, runs),
    W3: async (runs) => {
      const handles = await Promise.all(Array.from({ length: runs }, () => DBOS.startWorkflow(sequential)()));
      await Promise.all(handles.map((handle) => handle.getResult()));
    },
    unsupported: { W4: 'reads no BPMN' },
    W5: async (runs) => {
      for (let i = 0; i < runs; i++) await DBOS.startWorkflow(waiting)();
    },
    close: () => DBOS.shutdown(),
  };
}
