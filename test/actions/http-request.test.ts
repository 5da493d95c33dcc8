import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequestAction } from '../../src/actions/builtins/http-request.js';
import { createActionRegistry } from '../../src/actions/registry.js';
import { RunloomError } from '../../src/errors.js';
import { createRunloom } from '../../src/runloom.js';
import { testStep } from './step.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const registry = createActionRegistry([httpRequestAction]);
const received: Received[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-served-by': 'loopback' });
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      } else if (path === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('hello, world');
      } else if (path.startsWith('/status/')) {
        const status = Number(path.slice('/status/'.length));
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `status ${status}`, pad: 'x'.repeat(10_000) }));
      } else if (path === '/slow') {
        // Never answers; the client has to give up.
      } else if (path === '/big-declared') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(2048) });
        res.end('y'.repeat(2048));
      } else if (path === '/big-streamed') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const pump = () => {
          while (sent < 64) {
            sent++;
            if (!res.write('z'.repeat(1024))) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const call = (input: unknown, step = testStep()) => registry.invoke('http.request', input, step);

async function failure(input: unknown, step = testStep()): Promise<RunloomError> {
  const error = await call(input, step).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunloomError);
  return error as RunloomError;
}

describe('http.request', () => {
  it('sends JSON with an Idempotency-Key and parses a JSON response', async () => {
    const step = testStep({ idempotencyKey: 'run-9:charge:2:0' });
    const { output, cost } = await call(
      { url: `${base}/echo`, method: 'post', query: { a: 1, tag: ['x', 'y'], skip: null }, body: { amount: 12 } },
      step,
    );
    expect(output).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'application/json; charset=utf-8', 'x-served-by': 'loopback' }),
      body: { method: 'POST', url: '/echo?a=1&tag=x&tag=y', body: '{"amount":12}' },
    });
    expect(cost).toBeUndefined();
    const last = received.at(-1)!;
    expect(last.headers['idempotency-key']).toBe('run-9:charge:2:0');
    expect(last.headers['content-type']).toBe('application/json');
  });

  it('keeps an Idempotency-Key the flow sets itself, and sends string bodies as-is', async () => {
    await call({ url: `${base}/echo`, method: 'PUT', headers: { 'Idempotency-Key': 'mine' }, body: 'raw text' });
    const last = received.at(-1)!;
    expect(last.headers['idempotency-key']).toBe('mine');
    expect(last.body).toBe('raw text');
  });

  it('returns text for a text response, or when asked', async () => {
    expect((await call({ url: `${base}/text` })).output).toMatchObject({ status: 200, body: 'hello, world' });
    const asText = await call({ url: `${base}/echo`, responseType: 'text' });
    expect(typeof (asText.output as { body: unknown }).body).toBe('string');
  });

  it('fails with HTTP_INVALID_JSON when JSON is demanded and the body is not', async () => {
    expect((await failure({ url: `${base}/text`, responseType: 'json' })).code).toBe('HTTP_INVALID_JSON');
  });

  it('turns a 500 into a retryable HTTP_500 carrying status and a truncated body', async () => {
    const error = await failure({ url: `${base}/status/500` });
    expect(error.code).toBe('HTTP_500');
    expect(error.retryable).toBe(true);
    const details = error.details as { status: number; body: string };
    expect(details.status).toBe(500);
    expect(details.body).toContain('status 500');
    expect(details.body.length).toBeLessThan(5000);
  });

  it('treats 429 as retryable and 404 as not', async () => {
    expect((await failure({ url: `${base}/status/429` })).retryable).toBe(true);
    const notFound = await failure({ url: `${base}/status/404` });
    expect(notFound.code).toBe('HTTP_404');
    expect(notFound.retryable).toBe(false);
  });

  it('times out with a retryable TIMEOUT', async () => {
    const started = Date.now();
    const error = await failure({ url: `${base}/slow`, timeoutMs: 100 });
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops with CANCELLED when the step is aborted', async () => {
    const step = testStep();
    setTimeout(() => step.controller.abort(), 50);
    const error = await failure({ url: `${base}/slow` }, step);
    expect(error.code).toBe('CANCELLED');
  });

  it('refuses a body larger than maxBytes, declared or streamed', async () => {
    const declared = await failure({ url: `${base}/big-declared`, maxBytes: 1024 });
    expect(declared.code).toBe('HTTP_TOO_LARGE');
    expect(declared.retryable).toBe(false);
    expect((await failure({ url: `${base}/big-streamed`, maxBytes: 10_000 })).code).toBe('HTTP_TOO_LARGE');
    const fits = await call({ url: `${base}/big-streamed`, maxBytes: 64 * 1024 });
    expect((fits.output as { body: string }).body).toHaveLength(64 * 1024);
  });

  it('refuses non-http URLs as INPUT_INVALID without sending anything', async () => {
    const before = received.length;
    for (const url of ['file:///etc/passwd', 'data:text/plain,hi', 'ftp://example.com/x', 'not a url']) {
      const error = await failure({ url });
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain('http.request input.url');
    }
    expect(received.length).toBe(before);
  });

  it('refuses a body on GET', async () => {
    expect((await failure({ url: `${base}/echo`, body: { a: 1 } })).message).toContain('input.body');
  });

  it('reports a refused connection as a retryable HTTP_NETWORK error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure({ url: `http://127.0.0.1:${port}/x?token=secret` });
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain('secret');
  });
});

describe('http.request keeps secrets out of errors and logs (issue 12, item 18)', () => {
  const secretUrl = (path: string, port?: number) =>
    `http://ada:s3cret-pw@127.0.0.1:${port ?? new URL(base).port}${path}?token=abc123&x=1`;
  const expectNoSecret = (text: string) => {
    for (const secret of ['s3cret-pw', 'abc123', 'token=', 'ada:']) expect(text).not.toContain(secret);
  };

  it('sends URL credentials as Basic authorization, never in the URL', async () => {
    const { output } = await call({ url: secretUrl('/echo') });
    expect((output as { status: number }).status).toBe(200);
    const last = received.at(-1)!;
    expect(last.headers.authorization).toBe(`Basic ${Buffer.from('ada:s3cret-pw').toString('base64')}`);
    expect(last.url).toBe('/echo?token=abc123&x=1');
    // An Authorization the flow sets itself wins.
    await call({ url: secretUrl('/echo'), headers: { Authorization: 'Bearer mine' } });
    expect(received.at(-1)!.headers.authorization).toBe('Bearer mine');
  });

  it('an error response, a refused connection and a timeout name method, origin and path only', async () => {
    const step = testStep();
    const refused = await failure({ url: secretUrl('/x', 9) }, step); // the discard port: fetch refuses it
    const status = await failure({ url: secretUrl('/status/503') }, step);
    const timeout = await failure({ url: secretUrl('/slow'), timeoutMs: 50 }, step);
    expect([refused.code, status.code, timeout.code]).toEqual(['HTTP_NETWORK', 'HTTP_503', 'TIMEOUT']);
    expect(refused.message).toBe('http.request GET http://127.0.0.1:9/x failed: bad port');
    for (const error of [refused, status, timeout]) {
      expectNoSecret(error.message);
      expectNoSecret(JSON.stringify(error.toInfo()));
      expectNoSecret(String(error.stack));
      expect(error.cause).toBeUndefined();
    }
    expectNoSecret(JSON.stringify(step.lines));
  });

  /** Runs `node` between a start and an end on a memory store: what the run logged and stored. */
  async function runNode(node: Record<string, unknown>, input: Record<string, unknown> = {}) {
    const runloom = await createRunloom({ store: 'memory:' });
    try {
      await runloom.flows.publish({
        format: 'runloom/v1',
        id: 'secret-call',
        nodes: [
          { id: 'start', type: 'start' },
          { id: 'call', ...node },
          { id: 'done', type: 'end' },
        ],
        edges: [
          { from: 'start', to: 'call' },
          { from: 'call', to: 'done' },
        ],
      });
      const run = await runloom.runs.start('secret-call', input);
      const done = await runloom.runs.wait(run.id);
      return { status: done.status, events: await runloom.runs.events(run.id), steps: await runloom.runs.steps(run.id) };
    } finally {
      await runloom.close();
    }
  }

  it("a run's log keeps the call without its credentials, query values or secret headers", async () => {
    const { status, events, steps } = await runNode({
      type: 'task',
      action: 'http.request',
      input: {
        url: secretUrl('/echo'),
        query: { apiKey: 'abc123' },
        headers: { 'X-Api-Key': 'abc123', Accept: 'text/plain' },
      },
    });
    expect(status).toBe('completed');
    // The call itself carried them all.
    const last = received.at(-1)!;
    expect(last.url).toBe('/echo?token=abc123&x=1&apiKey=abc123');
    expect(last.headers['x-api-key']).toBe('abc123');
    const started = events.find((e) => e.type === 'step.started');
    expect((started?.data as { input: unknown } | undefined)?.input).toEqual({
      url: `http://[redacted]@127.0.0.1:${new URL(base).port}/echo?[redacted]`,
      query: { apiKey: '[redacted]' },
      headers: { 'X-Api-Key': '[redacted]', Accept: 'text/plain' },
    });
    // The echo server's answer quotes the URL it got: that output is the flow's to keep.
    expectNoSecret(JSON.stringify(events.filter((e) => e.type !== 'step.completed')));
    const { output: _echoed, ...step } = steps[0];
    expectNoSecret(JSON.stringify(step));
  });

  it("a map's items keep their calls' secrets out of the step rows too", async () => {
    const { status, steps } = await runNode(
      { type: 'map', items: '=input.urls', do: { type: 'task', action: 'http.request', input: { url: '=item' } } },
      { urls: [secretUrl('/echo'), secretUrl('/echo')] },
    );
    expect(status).toBe('completed');
    expect(received.at(-1)!.url).toBe('/echo?token=abc123&x=1');
    expect(steps.filter((step) => step.item !== undefined)).toHaveLength(2);
    for (const { output: _echoed, ...step } of steps) expectNoSecret(JSON.stringify(step));
  });
});
