/**
 * A second process for the resume test: opens the SQLite file, resumes a prompt run by id,
 * sends one message (a mock model answers with how many messages it was given) and prints the
 * task and the history as JSON.
 */
import { createRunloom } from '../../src/runloom.js';
import { mockModel } from './mock-model.js';

const [path, runId] = process.argv.slice(2);
const mock = mockModel((call) => ({
  text: `child saw ${mock.received[call].messages.length} messages`,
  usage: { input: 7, output: 3 },
}));
const runloom = await createRunloom({ store: path, models: { default: mock.model } });
const run = await runloom.prompts.resume(runId);
const task = await (await run.send('and now?')).done;
process.stdout.write(
  `${JSON.stringify({ task, history: await run.history(), info: await run.info(), received: mock.received })}\n`,
);
await runloom.close();
