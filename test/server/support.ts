/**
 * Real HTTP on loopback: a Runloom (SQLite file, memory, or a shared store) behind `startServer`
 * on port 0, and a small client that speaks JSON to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createRunloom, type Runloom, type RunloomOptions } from '../../src/runloom.js';
import { createApiKeys } from '../../src/server/keys.js';
import { observeStore } from '../../src/server/observed-store.js';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/serve.js';
import { openStore } from '../../src/store/index.js';

export const silent = pino({ level: 'silent' });

export interface TestServer {
  readonly url: string;
  readonly runloom: Runloom;
  readonly server: RunningServer;
  readonly dir: string;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a test reads replies field by field and asserts on them
export type Json = any;

export interface CallOptions {
  readonly body?: unknown;
  /** Sent as is (bad JSON, other media types). */
  readonly raw?: string;
  readonly key?: string;
  readonly headers?: Record<string, string>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

export async function request(url: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (metrics, docs)
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function openServer(
  options: Partial<Omit<ServeOptions, 'runloom'>> & {
    runloom?: RunloomOptions;
    /** Runs before the server starts (a server that requires keys refuses to start without one). */
    prepare?: (runloom: Runloom) => Promise<void>;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'runloom-api-'));
  // Observed as `runloom serve` observes its store: the metrics test reads step counters.
  const observed = observeStore(openStore(String(options.runloom?.store ?? join(dir, 'runloom.db')), { durability: 'normal' }));
  const runloom = await createRunloom({ ...options.runloom, store: observed.store });
  await options.prepare?.(runloom);
  const server = await startServer({ host: '127.0.0.1', port: 0, logger: silent, observed, ...options, runloom });
  return {
    url: server.url,
    runloom,
    server,
    dir,
    call: (method, path, callOptions) => request(server.url, method, path, callOptions),
    async close() {
      await server.close();
      await runloom.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const APPROVAL_FLOW = `
format: runloom/v1
id: approval
nodes:
  - { id: start, type: start }
  - { id: prepare, type: task, action: set, input: { amount: "=input.amount" }, output: prepared }
  - id: approve
    type: wait
    signal: approval
    output: approval
  - { id: review, type: wait, schema: { type: object, required: [ok], properties: { ok: { type: boolean } } }, output: review }
  - { id: done, type: end }
edges:
  - { from: start, to: prepare }
  - { from: prepare, to: approve }
  - { from: approve, to: review }
  - { from: review, to: done }
`;

export const QUICK_FLOW = `
format: runloom/v1
id: quick
nodes:
  - { id: start, type: start }
  - { id: one, type: task, action: set, input: { n: "=input.n" }, output: one }
  - { id: done, type: end }
edges:
  - { from: start, to: one }
  - { from: one, to: done }
`;

/**
 * A POST through node:http that reads the answer even when the server answers before reading the
 * whole body and closes (413): fetch reports that as a socket error.
 */
export function postLarge(url: string, path: string, body: string): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', (error) => (error as NodeJS.ErrnoException).code === 'EPIPE' || reject(error));
    req.end(body);
  });
}

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin/runloom.mjs');

/** `runloom <args> serve --port 0` in a child process; resolves with its URL once it listens. */
export function spawnServe(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, ...args, 'serve', '--port', '0'], {
    env: { ...process.env, RUNLOOM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(err)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
}

/** A server that requires keys, with one key for each of workspaces `alpha` and `beta`. */
export async function openTwoWorkspaces(): Promise<{ t: TestServer; alpha: string; beta: string }> {
  let alpha = '';
  let beta = '';
  const t = await openServer({
    requireKeys: true,
    async prepare(runloom) {
      const keys = createApiKeys(runloom.store.apiKeys);
      alpha = (await keys.create('alpha', 'a')).secret;
      beta = (await keys.create('beta', 'b')).secret;
    },
  });
  return { t, alpha, beta };
}
