/**
 * A step output that cannot be stored (too deep for JSON.stringify, too large) fails its step
 * with a clear error; it never reaches the commit, where it used to overflow the stack and leave
 * the run `running` with nobody driving it (issue 12, item 4).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUTPUT_LIMITS, unstorableOutput } from '../../src/runtime/output-limits.js';
import { closeAll, linearFlow, openRunloom } from './support.js';

const DEEP = 100_000;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/deep') res.end(`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`);
    else res.end(JSON.stringify({ ok: true, items: [1, 2, 3] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(closeAll);

const nest = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('unstorableOutput', () => {
  const limits = { maxBytes: 1_000, maxDepth: 10 };

  it('accepts what JSON stores within the limits, primitives included', () => {
    for (const value of [undefined, null, 0, '', 'text', false, [], {}, { a: [1, { b: 'c' }] }, nest(10), new Date(0)]) {
      expect(unstorableOutput('s', value, limits)).toBeUndefined();
    }
  });

  it('refuses an output one level too deep, naming the step and the limit', () => {
    expect(unstorableOutput('s', nest(10), limits)).toBeUndefined();
    const error = unstorableOutput('fetch', nest(11), limits);
    expect(error?.code).toBe('STEP_OUTPUT_TOO_DEEP');
    expect(error?.message).toContain("step 'fetch'");
    expect(error?.message).toContain('10 levels');
  });

  it('refuses an output too large, in objects, arrays and strings alike', () => {
    expect(unstorableOutput('s', 'x'.repeat(990), limits)).toBeUndefined();
    for (const value of [
      { text: 'x'.repeat(1_000) },
      Array.from({ length: 200 }, () => 12345),
      { [`k${'e'.repeat(1_000)}`]: 1 },
    ]) {
      const error = unstorableOutput('big', value, limits);
      expect(error?.code).toBe('STEP_OUTPUT_TOO_LARGE');
      expect(error?.message).toContain('1000 bytes');
    }
  });

  it('ends on a cycle (deeper and deeper) and on one object repeated a million times (larger and larger)', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(unstorableOutput('s', cycle, limits)?.code).toBe('STEP_OUTPUT_TOO_DEEP');
    const shared = { a: 'x'.repeat(100) };
    const started = Date.now();
    expect(unstorableOutput('s', new Array(1_000_000).fill(shared), DEFAULT_OUTPUT_LIMITS)?.code).toBe('STEP_OUTPUT_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a BigInt, which JSON cannot write', () => {
    expect(unstorableOutput('s', { n: 1n }, limits)?.code).toBe('STEP_OUTPUT_INVALID');
  });
});

describe('a step whose output cannot be stored', () => {
  it('an HTTP answer 100,000 levels deep fails its step with STEP_OUTPUT_TOO_DEEP; the run ends, the runtime goes on', async () => {
    const runloom = await openRunloom('sqlite');
    await runloom.flows.publish(
      linearFlow('deep', [
        { id: 'fetch', type: 'task', action: 'http.request', input: { url: `${base}/deep` }, output: 'answer' },
      ]),
    );
    await runloom.flows.publish(
      linearFlow('fine', [{ id: 'fetch', type: 'task', action: 'http.request', input: { url: `${base}/ok` }, output: 'answer' }]),
    );
    const deep = await runloom.runs.start('deep');
    const ended = await runloom.runs.wait(deep.id);
    expect(ended.status).toBe('failed');
    expect(ended.error?.code).toBe('STEP_OUTPUT_TOO_DEEP');
    expect(ended.error?.message).toContain("step 'fetch'");
    const [step] = await runloom.runs.steps(deep.id);
    expect(step.status).toBe('failed');
    expect(step.error?.code).toBe('STEP_OUTPUT_TOO_DEEP');

    // The same process runs the next flow to the end: nothing was left half-written.
    const fine = await runloom.runs.wait((await runloom.runs.start('fine')).id);
    expect(fine.status).toBe('completed');
  });

  it('the limits are the caller’s: a tighter maxBytes fails a step a default one lets through', async () => {
    const runloom = await openRunloom('sqlite', [], { outputLimits: { maxBytes: 16 } });
    await runloom.flows.publish(
      linearFlow('tight', [
        { id: 'fetch', type: 'task', action: 'http.request', input: { url: `${base}/ok` }, output: 'answer' },
      ]),
    );
    const ended = await runloom.runs.wait((await runloom.runs.start('tight')).id);
    expect(ended.status).toBe('failed');
    expect(ended.error?.code).toBe('STEP_OUTPUT_TOO_LARGE');
  });

  it('refuses limits that are not positive whole numbers', async () => {
    await expect(openRunloom('memory', [], { outputLimits: { maxDepth: 0 } })).rejects.toThrow(/outputLimits.maxDepth/);
  });
});
