import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/ai/config.js';
import { createModels } from '../../src/ai/models.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `
default: fast
creditsPerUsd: 1000000
models:
  fast: { provider: openai, model: gpt-4o-mini }
  smart: { provider: anthropic, model: claude-sonnet-4-5, apiKeyEnv: MY_ANTHROPIC_KEY, price: { input: 2, output: 10 } }
  local: { provider: openai-compatible, model: llama3.2, baseURL: "http://127.0.0.1:11434/v1" }
`;

describe('runloom.config.yaml', () => {
  it('is looked up in the working directory, or named by flag or RUNLOOM_CONFIG', () => {
    writeFileSync(join(dir, 'runloom.config.yaml'), CONFIG);
    writeFileSync(join(dir, 'other.yaml'), 'models: { x: { provider: openai, model: gpt-4o } }\n');
    expect(loadConfig(undefined, dir, {}).default).toBe('fast');
    expect(Object.keys(loadConfig('other.yaml', dir, {}).models ?? {})).toEqual(['x']);
    expect(Object.keys(loadConfig(undefined, dir, { RUNLOOM_CONFIG: 'other.yaml' }).models ?? {})).toEqual(['x']);
    expect(loadConfig(undefined, tmpdir(), {}).models).toBeUndefined();
    expect(() => loadConfig('missing.yaml', dir, {})).toThrow(/config file 'missing.yaml' does not exist/);
  });

  it('names every problem with its path', () => {
    const bad = `
default: nope
models:
  a: { provider: openai-compatible, model: m }
  b: { provider: openai, model: gpt-4o, apiKey: sk-secret }
`;
    expect(() => parseConfig(bad, 'c.yaml')).toThrow(/models\.b: Unrecognized key: "apiKey"/);
    const semantic = 'default: nope\nmodels:\n  a: { provider: openai-compatible, model: m }\n';
    const error = (() => {
      try {
        parseConfig(semantic, 'c.yaml');
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(/default: names model 'nope'/);
    expect(error).toMatch(/models\.a\.baseURL: an openai-compatible model needs the server's URL/);
    expect(() => parseConfig('models: [', 'c.yaml')).toThrow(/not valid YAML/);
    expect(() => parseConfig('models: { a: { provider: cohere, model: x } }', 'c.yaml')).toThrow(/models\.a\.provider/);
  });
});

describe('models', () => {
  const config = parseConfig(CONFIG, 'runloom.config.yaml');

  it('resolves default and names, with prices from the config, the table or free', () => {
    const models = createModels({ config, env: {} });
    expect(models.defaultName).toBe('fast');
    expect(models.get('default').modelId).toBe('gpt-4o-mini');
    expect(models.get('fast').priceSource).toBe('table');
    expect(models.get('smart').pricing.price).toEqual({ input: 2, output: 10 });
    expect(models.get('local').priceSource).toBe('free');
    // creditsPerUsd 1e6: 1M tokens of smart input = $2 = 2,000,000 credits
    expect(models.get('smart').pricing.credits({ inputTokens: 1_000_000, outputTokens: 0 })).toBe(2_000_000);
    expect(() => models.get('nope')).toThrow(/model 'nope' is not configured \(models: fast, smart, local\)/);
  });

  it('needs the API key from the environment only when the model is used', async () => {
    const models = createModels({ config, env: { MY_ANTHROPIC_KEY: 'k' } });
    await expect(models.get('fast').model()).rejects.toThrow(/needs its API key in the environment variable OPENAI_API_KEY/);
    expect((await models.get('smart').model()).provider).toMatch(/anthropic/);
    expect((await models.get('local').model()).modelId).toBe('llama3.2');
  });

  it('refuses a hosted model without a known price', () => {
    const unpriced = parseConfig('models: { x: { provider: openai, model: gpt-9 } }', 'c.yaml');
    expect(() => createModels({ config: unpriced })).toThrow(/no price is known for openai model 'gpt-9'/);
  });

  it('takes models given in code; one model is the default', async () => {
    const mock = new MockLanguageModelV3({ modelId: 'mock' });
    const models = createModels({ models: { only: { model: mock, price: { input: 1, output: 2 } } } });
    expect(await models.get('default').model()).toBe(mock);
    expect(models.get('only').pricing.credits({ inputTokens: 10, outputTokens: 10 })).toBe(3);
    expect(() => createModels({ models: { a: mock }, default: 'b' })).toThrow(/default model 'b' is not configured/);
  });
});
