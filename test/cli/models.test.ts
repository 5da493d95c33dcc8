import { afterAll, describe, expect, it } from 'vitest';
import { cli, expectNoStack, tempDir, writeFile } from './helpers.js';

const tmp = tempDir('runloom-models-');
afterAll(() => tmp.cleanup());

describe('runloom models list', () => {
  it('lists the configured models and prices, shows whether a key is set but never the key', async () => {
    writeFile(
      tmp.path('runloom.config.yaml'),
      `default: local
models:
  fast: { provider: openai, model: gpt-4o-mini }
  local: { provider: openai-compatible, model: llama3.2, baseURL: "http://127.0.0.1:11434/v1", price: { input: 0.5, output: 1 } }
`,
    );
    writeFile(tmp.path('bad.yaml'), 'models: { a: { provider: openai, model: gpt-9 } }\n');
    const env = { OPENAI_API_KEY: 'sk-test-secret-123' };
    const [table, json, bad, missing] = await Promise.all([
      cli(['models', 'list'], { cwd: tmp.dir, env }),
      cli(['--json', 'models', 'list'], { cwd: tmp.dir, env: {} }),
      cli(['--config', 'bad.yaml', 'models', 'list'], { cwd: tmp.dir }),
      cli(['models', 'list'], { cwd: tmp.dir, env: { RUNLOOM_CONFIG: 'nowhere.yaml' } }),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/fast\s+openai\s+gpt-4o-mini\s+0\.15 \/ 0\.6\s+OPENAI_API_KEY set/);
    expect(table.stdout).toMatch(/local \(default\)\s+openai-compatible\s+llama3\.2\s+0\.5 \/ 1 \(config\)/);
    expect(table.stdout + table.stderr).not.toContain('sk-test-secret');
    const listed = JSON.parse(json.stdout);
    expect(listed.creditsPerUsd).toBe(100000);
    expect(listed.models.map((m: { name: string }) => m.name)).toEqual(['fast', 'local']);
    expect(listed.models[0]).toMatchObject({ apiKeyEnv: 'OPENAI_API_KEY', apiKeySet: false });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[CONFIG_INVALID\] models\.a\.price: no price is known for openai model 'gpt-9'/);
    expectNoStack(bad);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/config file 'nowhere.yaml' does not exist/);
  });
});

describe('runloom run with ai steps', () => {
  it('reads the models from --config: a bad config exits 2 before anything runs; a missing key fails the step naming the variable', async () => {
    writeFile(
      tmp.path('ai.yaml'),
      `format: runloom/v1
id: ai-key
nodes:
  - { id: start, type: start }
  - { id: ask, type: ai, prompt: "hello", model: hosted }
  - { id: done, type: end }
edges: [{ from: start, to: ask }, { from: ask, to: done }]
`,
    );
    writeFile(
      tmp.path('hosted.yaml'),
      'models: { hosted: { provider: openai, model: gpt-4o-mini, apiKeyEnv: RUNLOOM_TEST_NO_KEY } }\n',
    );
    writeFile(tmp.path('broken.yaml'), 'models: { hosted: { provider: openai } }\n');
    const store = tmp.path('ai.db');
    const [missingKey, broken] = await Promise.all([
      cli(['--store', store, '--config', 'hosted.yaml', 'run', 'ai.yaml'], { cwd: tmp.dir }),
      cli(['--store', tmp.path('b.db'), '--config', 'broken.yaml', 'run', 'ai.yaml'], { cwd: tmp.dir }),
    ]);
    expect(missingKey.code).toBe(1);
    expect(missingKey.stdout + missingKey.stderr).toMatch(
      /\[MODEL_KEY_MISSING\] model 'hosted' needs its API key in the environment variable RUNLOOM_TEST_NO_KEY/,
    );
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/\[CONFIG_INVALID\].*\n\s+models\.hosted\.model/);
    expectNoStack(broken);
  });
});
