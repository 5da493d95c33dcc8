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
