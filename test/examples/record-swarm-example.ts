/**
 * Records the cassette of the example swarm (examples/swarm/cassettes/lead-team.json) from the
 * loopback chat-completions server (test/support/chat-server.ts), through the real
 * openai-compatible provider: `npx tsx test/examples/record-swarm-example.ts`. Run it again
 * after changing the swarm file or the agents' prompts (coordinator.ts): the requests change,
 * so their hashes do.
 *
 * The server plays the team as models would: the scout reads the swarm, writes a fact per lead
 * and hands the qualifying to the judge as a subtask; the judge claims it, qualifies each lead,
 * completes the subtask and finishes the swarm.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/ai/config.js';
import { createModels } from '../../src/ai/models.js';
import { createRunloom } from '../../src/runloom.js';
import { type ChatReply, type ChatRequest, startChatServer } from '../support/chat-server.js';

const SWARM = fileURLToPath(new URL('../../examples/swarm/', import.meta.url));
const pieces = (text: string): string[] => text.match(/\S+\s*/g) ?? [];
const call = (name: string, args: unknown) => ({ name, arguments: args });

/** The rounds of each agent's turn: tool calls, then a closing note. */
const TURNS: Record<string, ChatReply[]> = {
  scout: [
    { toolCalls: [call('swarm_look', {})], usage: { prompt: 402, completion: 12 } },
    {
      toolCalls: [
        call('swarm_write', {
          op: 'set',
          key: 'facts.acme',
          value: 'Acme: 400 staff, opened a second warehouse, asked for a demo',
        }),
        call('swarm_write', { op: 'set', key: 'facts.globex', value: 'Globex: 12 staff, no budget until next year' }),
        call('swarm_subtask', { action: 'create', id: 'qualify', title: 'Qualify acme and globex', assignee: 'judge' }),
      ],
      usage: { prompt: 611, completion: 118 },
    },
    {
      text: pieces('Noted facts on acme and globex and asked the judge to qualify them.'),
      usage: { prompt: 760, completion: 17 },
    },
  ],
  judge: [
    {
      toolCalls: [call('swarm_look', {}), call('swarm_subtask', { action: 'claim', id: 'qualify' })],
      usage: { prompt: 415, completion: 30 },
    },
    {
      toolCalls: [
        call('swarm_write', {
          op: 'set',
          key: 'qualified.acme',
          value: { rating: 'hot', reason: 'growing fast and asked for a demo' },
        }),
        call('swarm_write', {
          op: 'set',
          key: 'qualified.globex',
          value: { rating: 'cold', reason: 'no budget until next year' },
        }),
        call('swarm_subtask', { action: 'complete', id: 'qualify', result: { hot: ['acme'], cold: ['globex'] } }),
        call('swarm_finish', { outcome: 'acme is hot, globex is cold' }),
      ],
      usage: { prompt: 790, completion: 142 },
    },
    { text: pieces('Qualified both leads: acme hot, globex cold.'), usage: { prompt: 980, completion: 12 } },
  ],
};

function answer(request: ChatRequest): ChatReply {
  const messages = request.body.messages as { role: string; content?: unknown }[];
  const system = JSON.stringify(messages.find((m) => m.role === 'system')?.content ?? '');
  const agent = Object.keys(TURNS).find((id) => system.includes(`You are ${id},`));
  if (!agent) throw new Error(`the recorder has no agent for: ${system.slice(0, 200)}`);
  const round = messages.filter((m) => m.role === 'assistant').length;
  const reply = TURNS[agent]?.[round];
  if (!reply) throw new Error(`the recorder has no round ${round + 1} for ${agent}`);
  return reply;
}

async function record(): Promise<void> {
  const server = await startChatServer(answer);
  try {
    const config = loadConfig(join(SWARM, 'runloom.config.yaml'));
    const models = { ...config.models };
    const local = models.local;
    if (local?.provider !== 'openai-compatible')
      throw new Error('examples/swarm/runloom.config.yaml has no openai-compatible `local`');
    models.local = { ...local, baseURL: server.baseURL };
    rmSync(join(SWARM, 'cassettes', 'lead-team.json'), { force: true });
    const runloom = await createRunloom({
      store: 'memory:',
      models: createModels({ config: { ...config, models }, env: { RUNLOOM_CASSETTES: 'record' } }),
    });
    try {
      const swarm = await runloom.swarms.start(readFileSync(join(SWARM, 'lead-team.swarm.yaml'), 'utf8'));
      const run = await runloom.runs.wait((await runloom.swarms.startAgents(swarm.id)).id);
      if (run.status !== 'completed') throw new Error(`coordinator: ${run.status} ${JSON.stringify(run.error)}`);
      process.stdout.write(`${JSON.stringify(run.output)} (${run.usage.credits} credits)\n`);
      process.stdout.write(`${JSON.stringify((await runloom.swarms.view(swarm.id)).blackboard)}\n`);
    } finally {
      await runloom.close();
    }
    process.stdout.write(`recorded ${server.requests.length} model calls into examples/swarm/cassettes/\n`);
  } finally {
    await server.close();
  }
}

await record();
