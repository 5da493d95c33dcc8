/**
 * A worker process for the live-policy test: `policy-worker.ts <store> <bus>` drives every run of
 * the store with the `costly` action (1 credit, 100 ms). Prints `ready`; runs until killed.
 */
import { createRunloom } from '../../src/runloom.js';
import { costlyAction } from './policy-flow.js';

const [store, bus] = process.argv.slice(2) as [string, string];
await createRunloom({ store, bus, actions: [costlyAction()], worker: { pollMs: 200 } });
process.stdout.write('ready\n');
