/**
 * A reasoning loop of 5 tool rounds (issue 14): the model asks for a tool five times, then
 * answers. Runloom (an `ai` step with a tool, in-memory store) against LangGraph.js's
 * `createReactAgent` and Mastra's `Agent`, each given the same scripted mock model in its own
 * model interface — it reads how many tool results the conversation holds and asks for the
 * next tool or answers, at no cost of its own — so what is measured is each engine's overhead.
 *
 * The floor is the AI SDK's own tool loop (`generateText` with the tool's `execute` and
 * `stopWhen: stepCountIs(6)`) with the same mock: the least any of them can cost. The figure of
 * merit is overhead over the floor per run, and the peers' overhead as a multiple of Runloom's,
 * all measured in this one process, engines interleaved round after round.
 *
 *   npm run build && npm --prefix bench/peers install --no-audit --no-fund
 *   node bench/peers/ai-loop.mjs [--runs 200] [--rounds 5]
 */
import { performance } from 'node:perf_hooks';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage } from '@langchain/core/messages';
import { tool as lcTool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { tool as aiTool, generateText, simulateReadableStream, stepCountIs, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { createRunloom, defineAction } from '../../dist/src/index.js';

const TOOL_ROUNDS = 5;
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const RUNS = flag('--runs', 200);
const ROUNDS = flag('--rounds', 5);

/** The script every engine's model follows: tool rounds 0…4 ask for `lookup`, then the answer. */
const nextTurn = (toolResults) =>
  toolResults < TOOL_ROUNDS ? { tool: { n: toolResults } } : { text: `looked up ${TOOL_ROUNDS} numbers` };
const lookup = (n) => ({ value: n * 2 });
const schema = z.object({ n: z.number() });
/** Tool results in an AI SDK prompt (Mastra puts all of them in one tool message). */
/** A whole (not streamed) answer of the script, in v2 or v3 shape (they differ in finishReason and usage). */
function generated(prompt, finishReason, usage) {
  const round = toolResultsIn(prompt);
  const turn = nextTurn(round);
  return {
    content: turn.text
      ? [{ type: 'text', text: turn.text }]
      : [{ type: 'tool-call', toolCallId: `c${round}`, toolName: 'lookup', input: JSON.stringify(turn.tool) }],
    finishReason: finishReason(turn.text ? 'stop' : 'tool-calls'),
    usage,
    warnings: [],
  };
}
const toolResultsIn = (prompt) =>
  prompt.flatMap((m) => (m.role === 'tool' ? m.content : [])).filter((part) => part.type === 'tool-result').length;

// ---- the AI SDK v6 mock (Runloom and the floor) -------------------------------------------
const usageV3 = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
function partsV3(turn, round) {
  const parts = [{ type: 'stream-start', warnings: [] }];
  if (turn.text) {
    parts.push({ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: turn.text }, { type: 'text-end', id: 't' });
  } else {
    parts.push({ type: 'tool-call', toolCallId: `c${round}`, toolName: 'lookup', input: JSON.stringify(turn.tool) });
  }
  parts.push({ type: 'finish', finishReason: { unified: turn.text ? 'stop' : 'tool-calls', raw: undefined }, usage: usageV3 });
  return parts;
}
const modelV3 = new MockLanguageModelV3({
  doStream: async ({ prompt }) => {
    const round = toolResultsIn(prompt);
    return {
      stream: simulateReadableStream({ chunks: partsV3(nextTurn(round), round), chunkDelayInMs: null, initialDelayInMs: null }),
    };
  },
  doGenerate: async ({ prompt }) => generated(prompt, (reason) => ({ unified: reason, raw: undefined }), usageV3),
});

// ---- the AI SDK v5 model interface (Mastra 0.24's), as ai@5's MockLanguageModelV2 is — whose
// module needs msw, which the peers do not install --------------------------------------------
const usageV2 = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };
const modelV2 = {
  specificationVersion: 'v2',
  provider: 'mock-provider',
  modelId: 'scripted',
  supportedUrls: {},
  doGenerate: async ({ prompt }) => generated(prompt, (reason) => reason, usageV2),
  doStream: async ({ prompt }) => {
    const round = toolResultsIn(prompt);
    const turn = nextTurn(round);
    const chunks = [{ type: 'stream-start', warnings: [] }];
    if (turn.text)
      chunks.push(
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: turn.text },
        { type: 'text-end', id: 't' },
      );
    else chunks.push({ type: 'tool-call', toolCallId: `c${round}`, toolName: 'lookup', input: JSON.stringify(turn.tool) });
    chunks.push({ type: 'finish', finishReason: turn.text ? 'stop' : 'tool-calls', usage: usageV2 });
    return {
      stream: new ReadableStream({
        start: (c) => {
          for (const chunk of chunks) c.enqueue(chunk);
          c.close();
        },
      }),
    };
  },
};

// ---- LangChain's chat model interface (LangGraph) -----------------------------------------
class ScriptedChatModel extends BaseChatModel {
  _llmType() {
    return 'scripted';
  }
  bindTools() {
    return this;
  }
  async _generate(messages) {
    const round = messages.filter((m) => m.getType() === 'tool').length;
    const turn = nextTurn(round);
    const message = turn.text
      ? new AIMessage({ content: turn.text, usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 } })
      : new AIMessage({ content: '', tool_calls: [{ id: `c${round}`, name: 'lookup', args: turn.tool, type: 'tool_call' }] });
    return { generations: [{ text: turn.text ?? '', message }] };
  }
}

// ---- the engines ---------------------------------------------------------------------------
async function floorEngine() {
  const tools = { lookup: aiTool({ description: 'Look a number up', inputSchema: schema, execute: async ({ n }) => lookup(n) }) };
  return {
    run: async () => {
      const result = await generateText({ model: modelV3, prompt: 'go', tools, stopWhen: stepCountIs(TOOL_ROUNDS + 1) });
      if (result.steps.length !== TOOL_ROUNDS + 1) throw new Error(`floor: ${result.steps.length} steps`);
    },
    close: async () => {},
  };
}

/**
 * The same loop by hand over `streamText` (what Runloom calls, to show text as it is written):
 * the floor of a streaming tool loop, whose per-call cost is the AI SDK's streaming machinery.
 */
async function streamFloorEngine() {
  const tools = { lookup: aiTool({ description: 'Look a number up', inputSchema: schema }) };
  return {
    run: async () => {
      const messages = [{ role: 'user', content: 'go' }];
      for (;;) {
        const calls = [];
        for await (const part of streamText({ model: modelV3, messages, tools, maxRetries: 0 }).fullStream) {
          if (part.type === 'tool-call') calls.push(part);
        }
        if (calls.length === 0) break;
        messages.push({
          role: 'assistant',
          content: calls.map((c) => ({ type: 'tool-call', toolCallId: c.toolCallId, toolName: c.toolName, input: c.input })),
        });
        messages.push({
          role: 'tool',
          content: calls.map((c) => ({
            type: 'tool-result',
            toolCallId: c.toolCallId,
            toolName: c.toolName,
            output: { type: 'json', value: lookup(c.input.n) },
          })),
        });
      }
      if (messages.length !== 1 + 2 * TOOL_ROUNDS) throw new Error(`stream floor: ${messages.length} messages`);
    },
    close: async () => {},
  };
}

async function runloomEngine() {
  const action = defineAction({ name: 'lookup', description: 'Look a number up', input: schema, run: ({ n }) => lookup(n) });
  const runloom = await createRunloom({ store: 'memory:', models: { default: modelV3 }, actions: [action] });
  await runloom.flows.publish({
    format: 'runloom/v1',
    id: 'loop',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'think', type: 'ai', prompt: 'go', tools: ['lookup'], maxToolRounds: TOOL_ROUNDS },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'think' },
      { from: 'think', to: 'done' },
    ],
  });
  return {
    run: async () => {
      const run = await runloom.runs.wait((await runloom.runs.start('loop', {})).id);
      if (run.status !== 'completed') throw new Error(`runloom: ${run.status} ${JSON.stringify(run.error)}`);
    },
    close: () => runloom.close(),
  };
}

async function langgraphEngine() {
  const tools = [lcTool(async ({ n }) => JSON.stringify(lookup(n)), { name: 'lookup', description: 'Look a number up', schema })];
  const agent = createReactAgent({ llm: new ScriptedChatModel({}), tools });
  return {
    run: async () => {
      const result = await agent.invoke({ messages: [{ role: 'user', content: 'go' }] });
      const toolMessages = result.messages.filter((m) => m.getType() === 'tool').length;
      if (toolMessages !== TOOL_ROUNDS) throw new Error(`langgraph: ${toolMessages} tool results`);
    },
    close: async () => {},
  };
}

async function mastraEngine() {
  const tool = createTool({
    id: 'lookup',
    description: 'Look a number up',
    inputSchema: schema,
    execute: async ({ context }) => lookup(context.n),
  });
  const agent = new Agent({ name: 'bench', instructions: 'Use the tool.', model: modelV2, tools: { lookup: tool } });
  return {
    run: async () => {
      const result = await agent.generate('go', { maxSteps: TOOL_ROUNDS + 1 });
      if (result.text !== nextTurn(TOOL_ROUNDS).text)
        throw new Error(
          `mastra: answered ${JSON.stringify(result.text)} after ${result.steps?.length} steps, ${result.finishReason}, ${JSON.stringify(result.error ?? result.toolResults?.[0])?.slice(0, 300)}`,
        );
    },
    close: async () => {},
  };
}

const ENGINES = {
  floor: floorEngine,
  'floor-stream': streamFloorEngine,
  runloom: runloomEngine,
  langgraph: langgraphEngine,
  mastra: mastraEngine,
};

async function main() {
  const opened = {};
  const failed = {};
  for (const [name, open] of Object.entries(ENGINES)) {
    try {
      opened[name] = await open();
      for (let i = 0; i < 20; i++) await opened[name].run(); // warm-up: JIT, lazy imports
    } catch (error) {
      failed[name] = error instanceof Error ? error.message : String(error);
      delete opened[name];
    }
  }
  const samples = Object.fromEntries(Object.keys(opened).map((name) => [name, []]));
  const order = Object.keys(opened);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotated each round: slow drift of the machine spreads over every engine.
    for (const name of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
      const started = performance.now();
      for (let i = 0; i < RUNS; i++) await opened[name].run();
      samples[name].push(((performance.now() - started) * 1000) / RUNS);
    }
  }
  for (const engine of Object.values(opened)) await engine.close();
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const perRun = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  const floor = perRun.floor;
  const overhead = (name) => perRun[name] - floor;
  const lines = [
    `AI reasoning loop: ${TOOL_ROUNDS} tool rounds + the answer per run; ${RUNS} runs × ${ROUNDS} rounds per engine, median round`,
    `node ${process.version}, ${new Date().toISOString()}`,
    '',
    'engine      µs per run   overhead over floor (µs)   per model call (µs)',
  ];
  for (const name of Object.keys(perRun)) {
    const over = overhead(name);
    lines.push(
      `${name.padEnd(11)} ${perRun[name].toFixed(0).padStart(10)}   ${over.toFixed(0).padStart(24)}   ${(over / (TOOL_ROUNDS + 1)).toFixed(1).padStart(19)}`,
    );
  }
  lines.push('');
  if (perRun.runloom !== undefined && perRun['floor-stream'] !== undefined) {
    const own = perRun.runloom - perRun['floor-stream'];
    lines.push(
      `runloom over the streaming floor (the engine alone: store, log, accounting): ${own.toFixed(0)} µs per run, ${(own / (TOOL_ROUNDS + 1)).toFixed(1)} µs per model call`,
    );
  }
  if (perRun.runloom !== undefined) {
    for (const peer of ['langgraph', 'mastra']) {
      if (perRun[peer] === undefined) continue;
      lines.push(
        `${peer} / runloom: ${(perRun[peer] / perRun.runloom).toFixed(2)}× the time per run, ${(overhead(peer) / Math.max(overhead('runloom'), 1)).toFixed(1)}× the overhead`,
      );
    }
  }
  for (const [name, message] of Object.entries(failed)) lines.push(`${name}: ERROR ${message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
