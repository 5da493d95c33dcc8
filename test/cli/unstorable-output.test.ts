/**
 * `runloom run` of a flow whose HTTP step is answered with a 100,000-deep JSON array: it used to
 * sit idle forever with the run `running` (the commit overflowed the stack). Now the step fails
 * with a clear error, the command ends (exit 1) and the store says `failed` (issue 12, item 4).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectNoStack, expectRefused, runIdOf, shown, tempDir, withStore, writeFile } from './helpers.js';

const tmp = tempDir();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

const flow = () =>
  writeFile(
    tmp.path('deep.yaml'),
    `format: runloom/v1
id: deep
nodes:
  - { id: start, type: start }
  - { id: fetch, type: task, action: http.request, input: { url: "${base}/deep" }, output: answer }
  - { id: end, type: end }
edges:
  - { from: start, to: fetch }
  - { from: fetch, to: end }
`,
  );

describe.concurrent('a step output that cannot be stored', () => {
  it('fails the step with STEP_OUTPUT_TOO_DEEP and ends the command (exit 1); the run is failed in the store', async () => {
    const db = tmp.path('deep.db');
    const result = await cli(['--store', db, 'run', flow()], { timeoutMs: 20_000 });
    expect(result.code, shown(result)).toBe(1);
    expect(result.stdout).toContain('STEP_OUTPUT_TOO_DEEP');
    expect(result.stdout).toContain("step 'fetch'");
    expectNoStack(result);
    const runId = runIdOf(result.stdout);
    const view = await withStore(db, (r) => r.runs.get(runId));
    expect(view.status).toBe('failed');
  });

  it('RUNLOOM_STEP_OUTPUT_MAX_DEPTH must be a positive whole number (exit 2, nothing run)', async () => {
    const result = await cli(['--store', tmp.path('bad.db'), 'run', flow()], { env: { RUNLOOM_STEP_OUTPUT_MAX_DEPTH: 'deep' } });
    expectRefused(result, "RUNLOOM_STEP_OUTPUT_MAX_DEPTH must be a positive whole number, not 'deep'");
  });
});
