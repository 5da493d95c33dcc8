/**
 * Runs the `runloom` command as a user does: a real child process (`node bin/runloom.mjs …`),
 * a real SQLite file in a temp dir. `bin/runloom.mjs` runs the compiled dist/, which the vitest
 * global setup (test/support/build-dist.ts) rebuilds when the source is newer. Start-ups are
 * CPU-bound, so tests group their assertions and run independent commands concurrently.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { RunEvent } from '../../src/engine/types.js';
import type { Runloom } from '../../src/runloom.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO, 'bin', 'runloom.mjs');
export const EXAMPLES = join(REPO, 'examples');
export const example = (file: string) => join(EXAMPLES, file);

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  /** Killed (SIGKILL) after this long; the result then has `code: null`. */
  readonly timeoutMs?: number;
}

/** The environment of the test process without RUNLOOM_* settings, so only the arguments count. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RUNLOOM_')) env[key] = value;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * At most this many commands at once per test file: each start-up is CPU-bound (module
 * loading), and a dozen at once on a small machine only makes every one of them slow.
 */
const MAX_CHILDREN = 3;
let running = 0;
const queue: (() => void)[] = [];

async function slot<T>(task: () => Promise<T>): Promise<T> {
  if (running < MAX_CHILDREN) running++;
  else await new Promise<void>((resolve) => queue.push(resolve)); // a finishing task hands its slot over
  try {
    return await task();
  } finally {
    const next = queue.shift();
    if (next) next();
    else running--;
  }
}

/** Spawns a command line (`argv[0]` is the program) and collects its output. */
export function spawnCollect(argv: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return slot(() => spawnNow(argv, options));
}

function spawnNow(argv: readonly string[], options: CliOptions): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd ?? REPO,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `runloom <args…>` as a child process. */
export const cli = (args: readonly string[], options?: CliOptions) => spawnCollect([process.execPath, BIN, ...args], options);

/** Says what a command printed when an expectation about it fails. */
export const shown = (result: CliResult) =>
  `exit ${result.code} after ${result.ms} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

/** A temp dir for one test file; `cleanup()` removes it. */
export function tempDir(prefix = 'runloom-cli-'): { dir: string; path: (...parts: string[]) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (...parts) => join(dir, ...parts),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function writeFile(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

/** Opens a store file the CLI wrote (after the CLI has exited), without recovering anything. */
export async function withStore<T>(db: string, read: (runloom: Runloom) => Promise<T>): Promise<T> {
  const { createRunloom } = await import('../../src/runloom.js'); // only the files that read a store load the engine
  const runloom = await createRunloom({ store: db, recover: false });
  try {
    return await read(runloom);
  } finally {
    await runloom.close();
  }
}

export const eventsOf = (db: string, runId: string): Promise<RunEvent[]> => withStore(db, (r) => r.runs.events(runId));

/** A refusal: exit 2, the message on stderr, and no stack trace in sight. */
export function expectRefused(result: CliResult, ...patterns: (string | RegExp)[]): void {
  expect(result.code, shown(result)).toBe(2);
  for (const pattern of patterns) {
    if (typeof pattern === 'string') expect(result.stderr, shown(result)).toContain(pattern);
    else expect(result.stderr, shown(result)).toMatch(pattern);
  }
  expectNoStack(result);
}

export function expectNoStack(result: CliResult): void {
  const output = result.stdout + result.stderr;
  expect(output, shown(result)).not.toMatch(/^ {4}at /m);
  expect(output, shown(result)).not.toMatch(/\bat .+\.(ts|js|mjs):\d+:\d+\)?$/m);
}

/** The `#seq type node…` lines of the non-TTY display, in order. */
export function eventLines(stdout: string): { seq: number; type: string; line: string }[] {
  return stdout
    .split('\n')
    .map((line) => ({ line, match: /^#(\d+) (\S+)/.exec(line) }))
    .filter((x) => x.match !== null)
    .map(({ line, match }) => ({ seq: Number(match?.[1]), type: String(match?.[2]), line }));
}

/** Parses every line of NDJSON output; a line that is not JSON fails the test with the output. */
export function ndjson(result: CliResult): Record<string, unknown>[] {
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`line ${i + 1} is not JSON: ${line}\n${shown(result)}`);
    }
  });
}

/** The run id from the summary line `run <id>: <status> (<reason>) …`. */
export function runIdOf(stdout: string): string {
  const match = /^run (run_\w+): /m.exec(stdout);
  if (!match) throw new Error(`no run summary in:\n${stdout}`);
  return match[1];
}

/** seqs are 1-based (or start after `after`) and strictly increase by one. */
export function expectContiguous(seqs: readonly number[], after = 0): void {
  expect(seqs.length).toBeGreaterThan(0);
  expect(seqs).toEqual(seqs.map((_, i) => after + i + 1));
}
