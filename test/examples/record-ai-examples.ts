/**
 * Records the cassettes of the AI examples (examples/cassettes/) from the loopback
 * chat-completions server (test/support/chat-server.ts), through the real openai-compatible
 * provider: `npx tsx test/examples/record-ai-examples.ts`. Run it again after changing an AI
 * example's prompt, tools or schema (the requests change, so their hashes do); the examples
 * test then replays the new cassettes offline.
 *
 * The server answers as a model would for these flows: the order desk asks json.transform for
 * the sum, then writes its answer; the router picks the refunds team; the booking desk offers
 * slots, proposes Tuesday 14:00 and ends the conversation once the person agrees.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/ai/config.js';
import { createModels } from '../../src/ai/models.js';
import { createRunloom } from '../../src/runloom.js';
import { type ChatReply, type ChatRequest, startChatServer } from '../support/chat-server.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const AI_EXAMPLES = ['ai-reasoning', 'ai-decision', 'ai-conversation'] as const;
/** What the person says in the conversation example (its comment's commands, in order). */
const CONVERSATION = ['Tuesday afternoon would suit me', 'Yes, 14:00 is fine'] as const;

/** Cut into pieces of a few words, as a model streams them. */
const pieces = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

function answer(request: ChatRequest): ChatReply {
  const messages = request.body.messages;
  const asked = JSON.stringify(messages);
  if (asked.includes('Which team should handle it?')) {
    return {
      text: pieces('{"to": "refunds", "reason": "The parcel arrived damaged and the customer asks for their money back."}'),
      usage: { prompt: 171, completion: 27 },
    };
  }
  if (asked.includes('what they owe')) {
    if (messages.at(-1)?.role === 'tool') {
      return {
        text: pieces('{"total": 62, "reply": "Hi Ada, your order comes to 62.00: 2 desk lamps at 24.50 and 4 bulbs at 3.25."}'),
        usage: { prompt: 268, completion: 41 },
      };
    }
    const lines = [
      { item: 'desk lamp', qty: 2, price: 24.5 },
      { item: 'bulb', qty: 4, price: 3.25 },
    ];
    return {
      toolCalls: [{ name: 'json_transform', arguments: { expression: '$sum(lines.(qty * price))', data: { lines } } }],
      usage: { prompt: 214, completion: 36 },
    };
  }
  if (asked.includes('Lindenhof clinic')) {
    const last = JSON.stringify(messages.at(-1));
    if (last.includes(CONVERSATION[1])) {
      return {
        toolCalls: [{ name: 'end_conversation', arguments: { slot: 'Tue 14:00' } }],
        usage: { prompt: 262, completion: 18 },
      };
    }
    if (last.includes(CONVERSATION[0])) {
      return { text: pieces('Tuesday at 14:00 is open. Shall I book it for you?'), usage: { prompt: 231, completion: 14 } };
    }
    return {
      text: pieces('Hello Grace! We have Mon 9:00, Tue 14:00 and Thu 11:30 open. Which suits you?'),
      usage: { prompt: 204, completion: 22 },
    };
  }
  throw new Error(`the recorder has no answer for: ${asked.slice(0, 200)}`);
}

async function record(): Promise<void> {
  const server = await startChatServer(answer);
  try {
    const config = loadConfig(join(EXAMPLES, 'runloom.config.yaml'));
    const models = { ...config.models };
    const local = models.local;
    if (local?.provider !== 'openai-compatible') throw new Error('examples/runloom.config.yaml has no openai-compatible `local`');
    models.local = { ...local, baseURL: server.baseURL };
    for (const name of AI_EXAMPLES) rmSync(join(EXAMPLES, 'cassettes', `${name}.json`), { force: true });
    const runloom = await createRunloom({
      store: 'memory:',
      models: createModels({ config: { ...config, models }, env: { RUNLOOM_CASSETTES: 'record' } }),
    });
    try {
      for (const name of AI_EXAMPLES) {
        await runloom.flows.publish(readFileSync(join(EXAMPLES, `${name}.yaml`), 'utf8'), `${name}.yaml`);
        const started = await runloom.runs.start(name, name === 'ai-conversation' ? { name: 'Grace' } : {});
        if (name === 'ai-conversation') {
          for (const text of CONVERSATION) {
            await runloom.runs.wait(started.id, (s) => s.status !== 'running');
            await runloom.runs.say(started.id, 'desk', text, { reply: true });
          }
        }
        const run = await runloom.runs.wait(started.id);
        if (run.status !== 'completed') throw new Error(`${name}: ${run.status} ${JSON.stringify(run.error)}`);
        process.stdout.write(`${name}: ${JSON.stringify(run.output)} (${run.usage.credits} credits)\n`);
      }
    } finally {
      await runloom.close();
    }
    process.stdout.write(`recorded ${server.requests.length} model calls into examples/cassettes/\n`);
  } finally {
    await server.close();
  }
}

await record();
