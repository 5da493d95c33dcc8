/**
 * `runloom run` to completion, as a user runs it: the plain display (one line per event, then the
 * summary), NDJSON with --json, the live display on a terminal, and `npm start` on the default
 * store in a fresh directory.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BIN,
  cli,
  eventLines,
  eventsOf,
  example,
  expectContiguous,
  expectNoStack,
  ndjson,
  REPO,
  runIdOf,
  shown,
  spawnCollect,
  tempDir,
  withStore,
  writeFile,
} from './helpers.js';

const ESC = String.fromCharCode(27);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The output retry-fallback.yaml promises in its header. */
const RETRY_FALLBACK_OUTPUT = { status: 'queued for manual collection', attempts: 3, error: 'HTTP_NETWORK' };

/** order-showcase.yaml's promised output (no input). */
const SHOWCASE_OUTPUT = {
  customer: 'Ada',
  total: 388.5,
  shipping: 'express',
  picked: ['1 × lamp', '1 × desk', '2 × chair'],
  billing: { account: 'ACC-ADA', plan: 'invoice', invoice: 'Invoice for Ada: 388.50 EUR, paid by invoice' },
  note: 'Thank you, Ada! Your 3 items (388.50 EUR) ship express.',
  packingReminder: true,
  summary: 'Order for Ada: 388.50 EUR, express, billed to ACC-ADA — handed to the courier.',
};

describe.concurrent('runloom run', () => {
  it('runs an example to completion: one line per event, then the summary; exit 0', async () => {
    const db = tmp.path('plain.db');
    const result = await cli(['--store', db, 'run', example('retry-fallback.yaml')]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stderr).toBe('');

    const lines = eventLines(result.stdout);
    expectContiguous(lines.map((l) => l.seq));
    expect(lines.at(-1)?.type).toBe('run.completed');
    expect(lines.map((l) => l.type)).toContain('step.retrying');
    expect(lines.map((l) => l.type)).toContain('boundary.triggered');

    // Every event of the log is on screen, each exactly once, in order.
    const runId = runIdOf(result.stdout);
    const events = await eventsOf(db, runId);
    expect(lines.map((l) => [l.seq, l.type])).toEqual(events.map((e) => [e.seq, e.type]));

    // The run's id first (what `| head -1` keeps), the events, then nothing but the summary:
    // the status line (the reason left out when it only repeats the status) and the output.
    const out = result.stdout.split('\n');
    expect(out[0]).toBe(`run ${runId}`);
    const summaryAt = out.findIndex((line) => line.startsWith(`run ${runId}: `));
    expect(out.slice(1, summaryAt).filter((line) => line !== '' && !line.startsWith('#'))).toEqual([]);
    expect(out[summaryAt]).toMatch(new RegExp(`^run ${runId}: completed · 3 steps · \\d+ credits · \\d+ ms active$`));
    const outputText = result.stdout.slice(result.stdout.indexOf('output: ') + 'output: '.length);
    expect(JSON.parse(outputText)).toEqual(RETRY_FALLBACK_OUTPUT);
  });

  it('--json prints NDJSON: every event once, seqs 1…n without a gap, then the run.summary', async () => {
    const db = tmp.path('json.db');
    const inputFile = writeFile(tmp.path('trip.json'), JSON.stringify({ traveller: 'Grace', city: 'Rome' }));
    // --json after the file, as the README writes it; -i overrides the --input-file field.
    const result = await cli([
      '--store',
      db,
      'run',
      example('parallel-fork-join.yaml'),
      '--input-file',
      inputFile,
      '-i',
      'city=Oslo',
      '--json',
    ]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stderr).toBe('');

    const lines = ndjson(result);
    const summary = lines.at(-1) as { type: string; run: { id: string; status: string; input: unknown; output: unknown } };
    expect(summary.type).toBe('run.summary');
    expect(summary.run.status).toBe('completed');
    expect(summary.run.input).toEqual({ traveller: 'Grace', city: 'Oslo' });
    expect(summary.run.output).toEqual({
      bookings: ['FL-OSL-GRA', 'HT-OSL-GRA', 'CR-OSL-GRA'],
      itinerary: 'Grace → Oslo: flight FL-OSL-GRA, hotel HT-OSL-GRA, car CR-OSL-GRA',
    });

    // Every line names the run, the first one included.
    expect(lines.every((line) => line.runId === summary.run.id)).toBe(true);
    const events = lines.slice(0, -1).map(({ runId: _, ...event }) => event) as { seq: number; type: string }[];
    expect(events.every((e) => typeof e.seq === 'number' && typeof e.type === 'string')).toBe(true);
    expectContiguous(events.map((e) => e.seq));
    expect(events[0].type).toBe('run.started');
    expect(events.at(-1)?.type).toBe('run.completed');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['branch.forked', 'branch.joined']));
    expect(events).toEqual(await eventsOf(db, summary.run.id));
  });

  it('shows a live block on a terminal: redrawn in place, a line per branch (order-showcase under a pty)', async () => {
    const db = tmp.path('tty.db');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --store ${JSON.stringify(db)} run ${JSON.stringify(example('order-showcase.yaml'))}`;
    // util-linux `script` gives the command a pseudo-terminal; -e passes its exit code on.
    const result = await spawnCollect(['script', '-qfec', command, '/dev/null'], { timeoutMs: 30_000 });
    expect(result.code, shown(result)).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(new RegExp(`${ESC}\\[\\d+A`)); // cursor up: the block is redrawn in place
    expect(out).toContain(`${ESC}[2K`); // each line cleared before it is rewritten
    expect(out).toMatch(/branch 0\S*\s+\S+\s+(running|waiting)/);
    expect(out).toMatch(/branch 0\.\d/); // the parallel fork's branches have their own lines
    expect(out).not.toMatch(/^#\d+ step\./m); // not the one-line-per-event display
    const runId = runIdOf(out.replace(/\r/g, ''));
    expect(out).toContain(`run ${runId}: completed ·`);
    expectNoStack(result);
    const view = await withStore(db, (r) => r.runs.get(runId));
    expect(view.output).toEqual(SHOWCASE_OUTPUT);
  });

  it('`npm start` completes in under 20 s on the default store (./.runloom/runloom.db of the working directory)', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node bin/runloom.mjs run examples/order-showcase.yaml');

    // The same command, from a fresh directory (absolute paths), so the default store lands there.
    const cwd = tmp.path('fresh');
    mkdirSync(cwd);
    const result = await cli(['run', example('order-showcase.yaml')], { cwd, timeoutMs: 20_000 });
    expect(result.code, shown(result)).toBe(0);
    expect(result.ms).toBeLessThan(20_000);
    expect(result.stderr).toBe('');
    const runId = runIdOf(result.stdout);
    expect(result.stdout).toContain(`run ${runId}: completed ·`);

    const db = join(cwd, '.runloom', 'runloom.db');
    expect(existsSync(db)).toBe(true);
    const view = await withStore(db, (r) => r.runs.get(runId));
    expect(view.status).toBe('completed');
    expect(view.output).toEqual(SHOWCASE_OUTPUT);
  });
});
