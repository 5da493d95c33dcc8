/**
 * Child process of the AI crash tests:
 * `node --import tsx test/crash/ai-worker.ts <dbPath> <counterUrl> reasoning|conversation`.
 *
 * Opens Runloom on a SQLite file (strict durability) with the AI SDK's mock model, scripted
 * from the prompt alone (so every process answers the same prompt the same way), and a tool
 * whose effect is counted outside the process, by the test's loopback counter, keyed by the
 * tool call's idempotency key. The model also reports each call it gets to the counter, which
 * answers with an ordinal the answer carries, so the test can tell whether a recorded answer
 * was asked for again.
 *
 * reasoning: starts the run once (8 tool rounds), prints `ready`, exits 0 when it completed.
 * conversation: starts the run once; prints `ready <status> <messages heard>` once the
 * conversation waits for the person (or ended); then `say <text>` gives it a message and prints
 * `replied <status> <messages heard>`; `exit` closes and exits.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createRunloom } from '../../src/runloom.js';
import { answerParts, type ScriptedAnswer } from '../ai/scripted-model.js';
import { MESSAGES, ROUNDS } from './ai-counts.js';

const [dbPath, counterUrl, mode] = process.argv.slice(2);
if (!dbPath || !counterUrl || (mode !== 'reasoning' && mode !== 'conversation')) {
  process.stderr.write('usage: ai-worker.ts <dbPath> <counterUrl> reasoning|conversation\n');
  process.exit(2);
}

async function post(path: string, body: unknown): Promise<{ ordinal: number }> {
  const response = await fetch(`${counterUrl}${path}`, {
    method: 'POST',
    body: JSON.stringify({ ...(body as object), pid: process.pid }),
  });
  if (!response.ok) throw new Error(`counter answered ${response.status}`);
  return (await response.json()) as { ordinal: number };
}

type Prompt = Parameters<MockLanguageModelV3['doStream']>[0]['prompt'];

/** Reasoning: one more lookup per tool result in the prompt, up to ROUNDS, then the answer. */
async function reasoningAnswer(prompt: Prompt): Promise<ScriptedAnswer> {
  const round = prompt.filter((m) => m.role === 'tool').length;
  const { ordinal } = await post('/model', { unit: `round ${round}` });
  if (round < ROUNDS) return { tools: [{ name: 'counter_hit', input: { round: round + 1, asked: ordinal } }] };
  return { text: `looked up ${ROUNDS} times (asked ${ordinal})` };
}

/** Conversation: a reply to each person's message (the brief is the first user message), the end after MESSAGES. */
async function conversationAnswer(prompt: Prompt): Promise<ScriptedAnswer> {
  const heard = prompt.filter((m) => m.role === 'user').length - 1;
  const { ordinal } = await post('/model', { unit: `turn ${heard}` });
  if (heard >= MESSAGES)
    return { tools: [{ name: 'end_conversation', input: { summary: `all ${heard} heard (asked ${ordinal})` } }] };
  return { text: `reply ${heard} (asked ${ordinal})` };
}

const model = new MockLanguageModelV3({
  modelId: 'scripted',
  doStream: async ({ prompt }) => {
    const answer = mode === 'reasoning' ? await reasoningAnswer(prompt) : await conversationAnswer(prompt);
    return {
      stream: simulateReadableStream({ chunks: answerParts(answer, 0), chunkDelayInMs: 5, initialDelayInMs: 15 }),
    };
  },
});

const counterHit = defineAction({
  name: 'counter.hit',
  description: 'Counts one effect at the counter, keyed by the idempotency key',
  input: z.object({ round: z.number(), asked: z.number() }),
  run: async ({ round }, ctx) => post('/tool', { key: ctx.idempotencyKey, round }),
});

const node =
  mode === 'reasoning'
    ? { id: 'ask', type: 'ai', prompt: 'Hit the counter until it is done', tools: ['counter.hit'], maxToolRounds: ROUNDS }
    : { id: 'ask', type: 'ai', prompt: 'Talk with the person', maxTurns: MESSAGES + 5 };
const FLOW = {
  format: 'runloom/v1',
  id: `ai-${mode}`,
  nodes: [
    { id: 'start', type: 'start' },
    { ...node, output: 'answer' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'ask' },
    { from: 'ask', to: 'done' },
  ],
};

const runloom = await createRunloom({
  store: dbPath,
  durability: 'strict',
  actions: [counterHit],
  models: { default: model },
  log: (message, data) => process.stderr.write(`${message} ${JSON.stringify(data)}\n`),
});
// Idempotent set-up: a kill between publishing and starting leaves no run; the next life starts it.
if (!(await runloom.flows.list()).some((flow) => flow.flowId === FLOW.id && flow.latestVersion !== undefined)) {
  await runloom.flows.publish(FLOW);
}
const [existing] = await runloom.runs.list({ flowId: FLOW.id });
const runId = existing?.id ?? (await runloom.runs.start(FLOW.id, {})).id;

if (mode === 'reasoning') {
  process.stdout.write(`ready ${runId}\n`);
  const run = await runloom.runs.wait(runId);
  await runloom.close();
  process.stdout.write(`done ${run.status}\n`);
  process.exit(run.status === 'completed' ? 0 : 1);
}

const heard = async () => (await runloom.runs.events(runId)).filter((e) => e.type === 'message.received').length;
// Settled, and nothing left in the run's inbox: a message accepted there before a kill (the
// run was held by the process killed) is durable, and is heard once this process takes it.
const inbox = runloom.store.leases;
while (inbox && (await inbox.readInbox(runId)).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
const settled = await runloom.runs.wait(runId, (s) => s.status !== 'running');
const heardAtReady = await heard();
process.stderr.write(
  `ready state: ${JSON.stringify({ reason: settled.reason, waitingOn: settled.waitingOn, seq: (await runloom.runs.state(runId)).eventSeq })}\n`,
);
process.stdout.write(`ready ${settled.status} ${heardAtReady} ${runId}\n`);
const lines = createInterface({ input: process.stdin });
for (;;) {
  const [line] = (await once(lines, 'line')) as [string];
  if (line === 'exit') break;
  const text = line.slice('say '.length);
  try {
    const replied = await runloom.runs.say(runId, 'ask', text, { reply: true });
    process.stdout.write(`replied ${replied.status} ${await heard()}\n`);
  } catch (error) {
    // Said for the test to show, with the state that refused it.
    const state = await runloom.runs.state(runId);
    process.stderr.write(
      `say refused: ${(error as Error).message}\nstate: ${JSON.stringify({ status: state.status, reason: state.reason, tokens: state.tokens, pending: state.pending })}\nlog: ${JSON.stringify((await runloom.runs.events(runId)).slice(-8))}\n`,
    );
    process.exit(1);
  }
}
await runloom.close();
process.exit(0);
