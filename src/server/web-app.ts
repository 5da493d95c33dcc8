/**
 * The web UI (web/, built into web/dist by `npm run build:web`) served at `/`: its hashed assets
 * as files, and every other page path answered with index.html so that a link into the app
 * (`/runs/run_…`) opens directly. The API keeps /v1 (and /docs, /healthz…): an unknown /v1 path
 * stays a JSON 404, never the app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** web/dist from the source tree (src/server) or from the compiled one (dist/src/server). */
export function webDistDir(): string | undefined {
  for (const up of ['../../web/dist', '../../../web/dist']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

const API_PATH = /^\/(v1|docs|healthz|readyz|metrics)(\/|$)/;

// biome-ignore lint/suspicious/noExplicitAny: any Hono app (its Variables differ by caller)
export function serveWebApp(app: Hono<any>, dir: string | undefined): void {
  const index = dir === undefined ? undefined : readFileSync(join(dir, 'index.html'), 'utf8');
  app.get('/assets/*', async (c) => {
    if (dir === undefined) return c.notFound();
    const path = normalize(join(dir, c.req.path));
    if (!path.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return c.notFound();
    const body = await readFile(path).catch(() => undefined);
    if (!body) return c.notFound();
    // Vite names assets by their content hash: a name never changes what it holds.
    c.header('cache-control', 'public, max-age=31536000, immutable');
    c.header('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
    return c.body(body);
  });
  app.get('*', (c) => {
    if (API_PATH.test(c.req.path)) return c.notFound();
    if (index === undefined) return c.text('The web UI is not built: run `npm run build:web`.', 404);
    c.header('cache-control', 'no-cache');
    return c.html(index);
  });
}
