/**
 * The CLI against a server: `flows push|list|show` and `runs …` with `--server` (or
 * RUNLOOM_SERVER) and RUNLOOM_API_KEY talk HTTP instead of opening a store; `keys` manage the
 * store's keys. Real child processes against a real server on loopback.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeys } from '../../src/server/keys.js';
import { cli, tempDir, writeFile } from '../cli/helpers.js';
import { APPROVAL_FLOW, openServer, type TestServer } from './support.js';

const SLOW = { timeoutMs: 90_000 };
let t: TestServer;
let key = '';
const files = tempDir('runloom-cli-server-');

beforeAll(async () => {
  t = await openServer({
    requireKeys: true,
    async prepare(runloom) {
      key = (await createApiKeys(runloom.store.apiKeys).create('team', 'cli')).secret;
    },
  });
});
afterAll(async () => {
  await t?.close();
  files.cleanup();
});

describe('runloom … --server', () => {
  it('pushes, lists and shows flows, then answers a run and shows it, all over HTTP', async () => {
    const flow = writeFile(files.path('approval.yaml'), APPROVAL_FLOW);
    const env = { RUNLOOM_API_KEY: key };
    const pushed = await cli(['--server', t.url, 'flows', 'push', flow], { ...SLOW, env });
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout.trim()).toBe('approval@1');
    const [listed, run] = await Promise.all([
      cli(['flows', 'list'], { ...SLOW, env: { ...env, RUNLOOM_SERVER: t.url } }),
      t.call('POST', '/v1/runs', { key, body: { flowId: 'approval', input: { amount: 2 } } }),
    ]);
    expect(listed.stdout).toMatch(/^approval\s+v1/);
    const signalled = await cli(
      ['--server', t.url, '--json', 'runs', 'signal', run.body.id, 'approval', '--data', '{"approved":true}'],
      {
        ...SLOW,
        env,
      },
    );
    // Settled again, waiting for the review: exit 3, as against a local store.
    expect(signalled.code).toBe(3);
    expect(signalled.stdout).toContain('"type":"signal.received"');
    const shown = await cli(['--server', t.url, '--json', 'runs', 'show', run.body.id], { ...SLOW, env });
    expect(JSON.parse(shown.stdout).waitingOn[0].nodeId).toBe('review');
  }, 120_000);

  it('refuses with exit 2 and the server’s error: no key, another workspace’s run, a bad server URL', async () => {
    const noKey = await cli(['--server', t.url, 'runs', 'list'], SLOW);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('[UNAUTHORIZED]');
    const other = (await createApiKeys(t.runloom.store.apiKeys).create('elsewhere', 'cli')).secret;
    const run = await t.call('POST', '/v1/runs', { key, body: { flowId: 'approval', input: {} } });
    const hidden = await cli(['--server', t.url, 'runs', 'cancel', run.body.id], { ...SLOW, env: { RUNLOOM_API_KEY: other } });
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain('[NOT_FOUND]');
    expect((await t.call('GET', `/v1/runs/${run.body.id}`, { key })).body.status).toBe('waiting');
    const bad = await cli(['--server', 'ftp://x', 'flows', 'list'], SLOW);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--server must be http(s)://host:port');
  }, 120_000);
});

describe('runloom keys', () => {
  it('creates a key shown once, lists it without its secret, revokes it', async () => {
    const store = join(files.dir, 'keys.db');
    const created = await cli(['--store', store, '--json', 'keys', 'create', '--workspace', 'ops', '--name', 'deploy'], SLOW);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key.secret).toMatch(/^rlk_/);
    const listed = await cli(['--store', store, 'keys', 'list'], SLOW);
    expect(listed.stdout).toMatch(new RegExp(`${key.id}\\s+ops\\s+deploy\\s+live`));
    expect(listed.stdout).not.toContain(key.secret);
    expect((await cli(['--store', store, 'keys', 'revoke', key.id, '--workspace', 'other'], SLOW)).code).toBe(2);
    expect((await cli(['--store', store, 'keys', 'revoke', key.id, '--workspace', 'ops'], SLOW)).code).toBe(0);
    expect((await cli(['--store', store, 'keys', 'list', '--workspace', 'ops'], SLOW)).stdout).toContain('revoked');
    const bad = await cli(['--store', store, 'keys', 'create', '--workspace', 'Bad Name'], SLOW);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("workspace 'Bad Name'");
  }, 180_000);
});
