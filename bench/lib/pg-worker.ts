/**
 * A benchmark worker process (bench/postgres.bench.ts forks it): `createRunloom({ worker })` on
 * the given PostgreSQL schema and Redis prefix, with the no-op action. Says `ready` over IPC and
 * closes (handing its runs back) when told `stop`.
 */
import { createRunloom } from '../../src/runloom.js';
import { noopAction, StepCounter } from './workloads.js';

const [storeUrl, busUrl, id] = process.argv.slice(2);
const runloom = await createRunloom({
  store: storeUrl,
  bus: busUrl,
  actions: [noopAction(new StepCounter())],
  worker: { capacity: 5_000, claimBatch: 500 },
  workerId: id,
});
process.send?.('ready');
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await runloom.close();
  process.exit(0);
});
