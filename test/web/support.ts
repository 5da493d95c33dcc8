/**
 * Browser tests of the web UI: a real `runloom serve` child process on a free loopback port with
 * a temp SQLite file, and Debian's chromium driven by playwright-core, offline. Each page records
 * console errors and uncaught exceptions; a test ends by asserting there were none.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { EXAMPLES } from '../cli/helpers.js';

const ROOT = join(import.meta.dirname, '../..');
/**
 * Where the tests' screenshots go: a temp folder, so that a test run never rewrites tracked
 * files; `RUNLOOM_SCREENSHOTS=docs/ui npx vitest run test/web` refreshes the README's pictures.
 */
export const SCREENSHOTS = process.env.RUNLOOM_SCREENSHOTS
  ? join(ROOT, process.env.RUNLOOM_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'runloom-ui-shots-'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// biome-ignore lint/suspicious/noExplicitAny: a test reads replies field by field and asserts on them
type Json = any;

export interface Served {
  readonly url: string;
  /** With `requireKeys`: the key every call sends (the UI is given it like a person would). */
  readonly key: string | undefined;
  post(path: string, body: unknown): Promise<Json>;
  get(path: string): Promise<Json>;
  close(): Promise<void>;
}

/** `requireKeys`: serve with API keys required; `args` go before `serve` (global options, like `--config`). */
export async function serve(options: { requireKeys?: boolean; args?: readonly string[] } = {}): Promise<Served> {
  if (!existsSync(join(ROOT, 'web/dist/index.html'))) throw new Error('web/dist is missing: run `npm run build:web` first');
  const dir = mkdtempSync(join(tmpdir(), 'runloom-web-'));
  const bin = [join(ROOT, 'bin/runloom.mjs'), '--store', join(dir, 'runloom.db')];
  let key: string | undefined;
  if (options.requireKeys) {
    const created = spawnSync(process.execPath, [...bin, 'keys', 'create', '--workspace', 'web'], { encoding: 'utf8' });
    key = /rlk_\S+/.exec(created.stdout)?.[0];
    if (!key) throw new Error(`keys create printed no key: ${created.stdout}${created.stderr}`);
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [...bin, ...(options.args ?? []), 'serve', '--port', '0', ...(options.requireKeys ? ['--require-keys'] : [])],
    { cwd: dir, env: { ...process.env, RUNLOOM_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let said = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runloom serve did not start: ${said}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const found = /listening on (http:\/\/[^\s]+)/.exec(said);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`runloom serve exited ${code}: ${said}`)));
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    url,
    key,
    post: (path, body) => call('POST', path, body),
    get: (path) => call('GET', path),
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh profile each launch (playwright makes a temporary user-data dir and removes it). */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors, uncaught exceptions and requests that left loopback. */
  readonly problems: string[];
}

export async function openPage(browser: Browser, served: Served): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 950 } });
  const page = await context.newPage();
  page.setDefaultTimeout(5_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  // Works without internet: any request not for the server itself is a problem.
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(served.url) && !url.startsWith('data:')) problems.push(`offline: ${url}`);
  });
  return { page, problems };
}

/**
 * One watched page per test: `open(path)` opens a fresh page at a path of the server, and
 * `check` (an afterEach) asserts it saw no console error, no uncaught exception and nothing
 * fetched from outside; `expectRefused` takes off the one failed load a test expects.
 */
export function pagePerTest(session: () => { browser: Browser; served: Served }) {
  let current: WatchedPage | undefined;
  return {
    async open(path: string): Promise<Page> {
      const { browser, served } = session();
      current = await openPage(browser, served);
      await current.page.goto(`${served.url}${path}`);
      return current.page;
    },
    /** An answer the API refused (the browser logs it as a failed load): that one problem and no other. */
    expectRefused(status: number) {
      const problems = current?.problems ?? [];
      expect(problems).toEqual([expect.stringMatching(new RegExp(`Failed to load resource.*${status}`))]);
      problems.length = 0;
    },
    check() {
      expect(current?.problems ?? []).toEqual([]);
      current = undefined;
    },
  };
}

/**
 * A browser and a `runloom serve` given examples/runloom.config.yaml (its models replay the
 * examples' cassettes, offline) with the example flow `file` registered, for the tests of this
 * file: `served()` and a page per test, checked after each.
 */
export function exampleSession(file: string) {
  let served: Served | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    served = await serve({ args: ['--config', join(EXAMPLES, 'runloom.config.yaml')] });
    browser = await launch();
    const source = readFileSync(join(EXAMPLES, file), 'utf8');
    await served.post('/v1/flows', { flows: [{ flow: source, sourceName: file }] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });
  const session = () => ({ browser: browser as Browser, served: served as Served });
  const pages = pagePerTest(session);
  afterEach(pages.check);
  return { served: () => session().served, pages };
}
