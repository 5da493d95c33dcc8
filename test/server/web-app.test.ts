/** The web UI's files at `/`: assets as files, every page path the app, /v1 never shadowed, nothing outside the folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { serveWebApp } from '../../src/server/web-app.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-webdist-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'runloom-secret.txt'), 'TOP-SECRET-CONTENT');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function appWith(webDir: string | undefined) {
  const app = new Hono();
  app.get('/v1/flows', (c) => c.json({ flows: [] }));
  serveWebApp(app, webDir);
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.path}` } }, 404));
  return app;
}

describe('web app serving', () => {
  const app = appWith(dir);

  it('answers page paths with the app and assets as immutable files', async () => {
    for (const path of ['/', '/flows', '/runs/run_1']) {
      const page = await app.request(path);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="root"');
    }
    const asset = await app.request('/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('leaves the API its own answers, and nothing outside the folder is served', async () => {
    expect(await (await app.request('/v1/flows')).json()).toEqual({ flows: [] });
    const unknown = await app.request('/v1/nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await app.request('/healthz/x')).status).toBe(404);
    expect((await app.request('/assets/missing.js')).status).toBe(404);
    for (const path of [
      '/assets/../../runloom-secret.txt',
      '/assets/%2e%2e/%2e%2e/runloom-secret.txt',
      '/assets/..%2f..%2frunloom-secret.txt',
    ]) {
      expect(await (await app.request(path)).text()).not.toContain('TOP-SECRET-CONTENT');
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = appWith(undefined);
    const page = await bare.request('/runs');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('npm run build:web');
  });
});
