/**
 * The `replay` provider (issue 14 item 7): record real calls through the openai-compatible
 * provider against a loopback chat-completions server into a cassette, then replay them with
 * the server down — same output, same usage and credits — and refuse a request the cassette
 * does not hold, naming the cassette and the hash.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASSETTE_FORMAT, canonicalRequest, requestHash } from '../../src/ai/cassette.js';
import { loadConfig } from '../../src/ai/config.js';
import { createModels } from '../../src/ai/models.js';
import { createRunloom } from '../../src/runloom.js';
import { type ChatServer, startChatServer } from '../support/chat-server.js';
import { lookupAction, tierFlow } from './tier-flow.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-replay-'));
const cassette = join(dir, 'cassettes', 'tier.json');
let server: ChatServer;
let configFile: string;
const effects: string[] = [];

const lookup = lookupAction(effects);

beforeAll(async () => {
  server = await startChatServer((request) => {
    const last = request.body.messages.at(-1);
    if (last?.role === 'tool') return { text: ['{"tier":', ' "gold"}'], usage: { prompt: 80, completion: 6 } };
    const email = /Tier of (\S+)\?/.exec(JSON.stringify(last?.content))?.[1] ?? '';
    return { toolCalls: [{ name: 'crm_lookup', arguments: { email } }], usage: { prompt: 50, completion: 9 } };
  });
  configFile = join(dir, 'runloom.config.yaml');
  writeFileSync(
    configFile,
    `default: replayed
models:
  local:
    provider: openai-compatible
    baseURL: ${server.baseURL}
    model: tiny
    price: { input: 0.5, output: 1.5 }
  replayed:
    provider: replay
    cassette: cassettes/tier.json
    record: local
`,
  );
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runTier(mode: string | undefined, email: string) {
  const models = createModels({ config: loadConfig(configFile), env: mode ? { RUNLOOM_CASSETTES: mode } : {} });
  const runloom = await createRunloom({ store: 'memory:', models, actions: [lookup] });
  try {
    await runloom.flows.publish(tierFlow('replayed'));
    const run = await runloom.runs.wait((await runloom.runs.start('tier', { email })).id);
    const state = await runloom.runs.state(run.id);
    return { run, detail: state.steps.ask.detail as Record<string, unknown>, steps: await runloom.runs.steps(run.id) };
  } finally {
    await runloom.close();
  }
}

describe('a replay model', () => {
  let recorded: Awaited<ReturnType<typeof runTier>>;

  it('records the real calls (text, tool calls, usage, stream parts) to the cassette next to the config', async () => {
    recorded = await runTier('record', 'ada@x.io');
    expect(recorded.run.status).toBe('completed');
    expect(recorded.run.vars.tier).toEqual({ tier: 'gold' });
    expect(server.requests).toHaveLength(2);
    const file = JSON.parse(readFileSync(cassette, 'utf8'));
    expect(file.format).toBe(CASSETTE_FORMAT);
    const calls = Object.entries(file.calls) as [string, { request: unknown; parts: { type: string }[] }][];
    expect(calls).toHaveLength(2);
    for (const [hash, call] of calls) expect(requestHash(call.request)).toBe(hash);
    const types = calls.flatMap(([, call]) => call.parts.map((p) => p.type));
    expect(types).toEqual(expect.arrayContaining(['tool-call', 'text-delta', 'finish']));
    expect(recorded.detail).toMatchObject({ provider: 'replay', tokensIn: 130, tokensOut: 15 });
    // Charged at the record model's price: a replayed run costs what the real one did.
    expect(recorded.run.usage.credits).toBeGreaterThan(0);
  });

  it('replays with the server down: same output, usage and credits, no request sent', async () => {
    await server.close();
    const before = server.requests.length;
    const replayed = await runTier(undefined, 'ada@x.io');
    expect(replayed.run.status).toBe('completed');
    expect(replayed.run.vars.tier).toEqual({ tier: 'gold' });
    expect(server.requests.length).toBe(before);
    expect(replayed.run.usage.credits).toBe(recorded.run.usage.credits);
    expect(replayed.detail).toMatchObject({ tokensIn: 130, tokensOut: 15, credits: recorded.detail.credits });
    // The tool is an action of this process: it runs again on replay, only the model is replayed.
    expect(effects).toHaveLength(2);
  });

  it('fails a request the cassette does not hold, naming the cassette and the hash, without retrying', async () => {
    const missed = await runTier(undefined, 'bob@x.io');
    expect(missed.run.status).toBe('failed');
    expect(missed.run.error?.code).toBe('CASSETTE_MISS');
    expect(missed.run.error?.message).toMatch(
      /model 'replayed': cassette 'cassettes\/tier\.json' has no answer for request [0-9a-f]{64}/,
    );
    expect(missed.run.error?.message).toContain('RUNLOOM_CASSETTES');
    expect(missed.steps.filter((s) => s.nodeId === 'ask')).toHaveLength(1);
    const hash = /request ([0-9a-f]{64})/.exec(missed.run.error?.message ?? '')?.[1];
    expect(Object.keys(JSON.parse(readFileSync(cassette, 'utf8')).calls)).not.toContain(hash);
  });

  it('in auto mode answers what it holds and records only what is missing', async () => {
    const again = await startChatServer(() => ({ text: ['{"tier":"silver"}'], usage: { prompt: 40, completion: 5 } }));
    const config = join(dir, 'auto.config.yaml');
    writeFileSync(
      config,
      `models:
  local: { provider: openai-compatible, baseURL: ${again.baseURL}, model: tiny }
  replayed: { provider: replay, cassette: cassettes/tier.json, record: local }
`,
    );
    try {
      const models = createModels({ config: loadConfig(config), env: { RUNLOOM_CASSETTES: 'auto' } });
      const model = await models.get('replayed').model();
      const first = await generateText({ model, prompt: 'Which tier is the default?' });
      const second = await generateText({ model, prompt: 'Which tier is the default?' });
      expect(first.text).toBe('{"tier":"silver"}');
      expect(second.text).toBe(first.text);
      expect(second.usage.inputTokens).toBe(40);
      expect(again.requests).toHaveLength(1);
      expect(Object.keys(JSON.parse(readFileSync(cassette, 'utf8')).calls)).toHaveLength(3);
    } finally {
      await again.close();
    }
  });
});

describe('request hashes', () => {
  it('do not depend on key order, and are pinned (the same in every process and version)', () => {
    const a = canonicalRequest({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      temperature: 0,
      headers: { 'x-trace': '1' },
    });
    const b = canonicalRequest({
      abortSignal: new AbortController().signal,
      temperature: 0,
      prompt: [{ content: [{ text: 'hi', type: 'text' }], role: 'user' }],
    });
    expect(requestHash(a)).toBe(requestHash(b));
    // sha256 of the canonical text {"prompt":[{"content":[{"text":"hi","type":"text"}],"role":"user"}],"temperature":0}, as sha256sum gives it.
    expect(requestHash(a)).toBe('a58052f98cafebc8c517fb5fb0fd60fca12afcfe4955b82051cfee59f7bb764f');
    expect(requestHash(canonicalRequest({ prompt: [], temperature: 0.5 }))).not.toBe(
      requestHash(canonicalRequest({ prompt: [] })),
    );
  });
});

describe('replay configuration', () => {
  const configWith = (body: string) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, body);
    return file;
  };

  it('refuses a record target that is not a configured model, or is a replay model', () => {
    expect(() => loadConfig(configWith('models:\n  r: { provider: replay, cassette: c.json, record: nope }\n'))).toThrow(
      /models\.r\.record: names model 'nope', which is not under models/,
    );
    expect(() =>
      loadConfig(
        configWith(
          'models:\n  a: { provider: replay, cassette: a.json }\n  b: { provider: replay, cassette: b.json, record: a }\n',
        ),
      ),
    ).toThrow(/models\.b\.record: 'a' is a replay model itself/);
    expect(() => loadConfig(configWith('models:\n  r: { provider: replay }\n'))).toThrow(/models\.r\.cassette/);
  });

  it('refuses an unknown RUNLOOM_CASSETTES, and recording without a record model', async () => {
    const config = loadConfig(configWith('models:\n  r: { provider: replay, cassette: none.json }\n'));
    expect(() => createModels({ config, env: { RUNLOOM_CASSETTES: 'sometimes' } })).toThrow(
      "RUNLOOM_CASSETTES is 'sometimes': use replay, record, auto",
    );
    const model = await createModels({ config, env: { RUNLOOM_CASSETTES: 'record' } })
      .get('r')
      .model();
    await expect(generateText({ model, prompt: 'x', maxRetries: 0 })).rejects.toThrow(
      /model 'r': RUNLOOM_CASSETTES=record records, but the model has no `record:`/,
    );
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });

  it('names a cassette that is not one', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"calls": {}}');
    const config = loadConfig(configWith('models:\n  r: { provider: replay, cassette: broken.json }\n'));
    const model = await createModels({ config, env: {} }).get('r').model();
    await expect(generateText({ model, prompt: 'x', maxRetries: 0 })).rejects.toThrow(
      /cassette 'broken\.json': not a cassette \(expected "format": "runloom\/cassette\/v1"/,
    );
  });
});
