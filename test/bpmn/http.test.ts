/**
 * BPMN over the HTTP API (real HTTP on loopback): POST /v1/flows takes the XML as it takes
 * YAML; a script task is refused (422, naming the element and its line) unless the server's
 * Runloom runs scripts (`runloom serve --bpmn-scripts`), and then the run sets its variables.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openServer, type TestServer } from '../server/support.js';
import { counterBpmn } from './support.js';

const COUNTER = counterBpmn();

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('BPMN over the HTTP API', () => {
  it('a script task is refused with 422 naming the element and its line when the server runs no scripts', async () => {
    server = await openServer();
    const reply = await server.call('POST', '/v1/flows', { body: { flows: [{ flow: COUNTER, sourceName: 'counter.bpmn' }] } });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('FLOW_INVALID');
    expect(reply.body.error.details.problems).toEqual([
      expect.objectContaining({
        path: 'line 9',
        code: 'BPMN_UNSUPPORTED',
        message: expect.stringContaining("scriptTask 'count'"),
      }),
    ]);
    expect((await server.call('GET', '/v1/flows/proc')).status).toBe(404);
  });

  it('with scripts on, the XML publishes and its run sets the variables its script sets', async () => {
    server = await openServer({ runloom: { bpmnScripts: true } });
    const published = await server.call('POST', '/v1/flows', {
      body: { flows: [{ flow: COUNTER, sourceName: 'counter.bpmn' }] },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const started = await server.call('POST', '/v1/runs', { body: { flowId: 'proc', input: {} } });
    expect(started.status).toBe(201);
    const done = await server.runloom.runs.wait(started.body.id);
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ count: 3 });
  });
});
