/**
 * Journeys end to end over real HTTP on loopback (SQLite file): a signed webhook creates an
 * entity, its mapped flows run one after another as it walks the spine, and the journey
 * completes; the same from an email sent with nodemailer to the SMTP listener. Then webhook
 * security: every bad delivery is a 4xx and stores nothing; secrets are never returned or logged.
 */
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHook } from '../../src/journey/hooks.js';
import { openServer, type TestServer } from '../server/support.js';
import { SALES_JOURNEY, scoreFlow, until } from './fixtures.js';

const SECRET = 'whsec_0123456789abcdef-not-logged';
const logs: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  }),
);
let t: TestServer;

const signed = (body: string, ts = Math.floor(Date.now() / 1000), secret = SECRET) => ({
  raw: body,
  headers: {
    'content-type': 'application/json',
    'x-runloom-timestamp': String(ts),
    'x-runloom-signature': signHook(secret, ts, body),
  },
});
const stored = async () => ({
  board: (await t.call('GET', '/v1/journeys/sales/board')).body,
  entities: (await t.call('GET', '/v1/journeys/sales/entities')).body,
});
const entity = async (id: string) => (await t.call('GET', `/v1/entities/${id}`)).body;

beforeAll(async () => {
  t = await openServer({ logger, smtpPort: 0, runloom: { journeys: { intervalMs: 50 } } });
  const published = await t.call('POST', '/v1/flows', {
    body: { flows: [{ flow: scoreFlow('enrich') }, { flow: scoreFlow('qualify') }, { flow: SALES_JOURNEY }] },
  });
  expect(published.status).toBe(201);
  const mappings = [
    { nodeId: 'lead', flowId: 'enrich' },
    { nodeId: 'qualified', flowId: 'qualify' },
    { nodeId: 'won', flowId: 'enrich', input: { entity: '=entity', note: 'welcome' } },
  ];
  expect((await t.call('PUT', '/v1/journeys/sales/mappings', { body: { mappings } })).status).toBe(200);
  const hook = await t.call('PUT', '/v1/hooks/leads', {
    body: {
      journeyId: 'sales',
      secret: SECRET,
      fields: { email: '$.contact.email', name: '$.contact.name', attributes: { score: '$.score' } },
    },
  });
  expect(hook.status).toBe(200);
  expect(JSON.stringify(hook.body)).not.toContain(SECRET);
  const replies = await t.call('PUT', '/v1/hooks/replies', {
    body: { journeyId: 'sales', node: 'qualified', email: { addresses: ['replies@runloom.test'], create: true } },
  });
  expect(replies.status).toBe(200);
});
afterAll(() => t?.close());

describe('journeys over HTTP', () => {
  it('webhook → entity → mapped flows run → it moves on → the journey completes', async () => {
    const body = JSON.stringify({ contact: { email: 'Ada@Example.com', name: 'Ada' }, score: 80 });
    const reply = await t.call('POST', '/v1/hooks/leads', signed(body));
    expect(reply.status).toBe(200);
    expect(reply.body.entity).toMatchObject({
      created: true,
      nodeId: 'lead',
      email: 'ada@example.com',
      attributes: { score: 80 },
    });
    const id = reply.body.entity.id;
    const done = await until(
      () => entity(id),
      (e) => e.status === 'completed',
    );
    expect(done.nodeId).toBeUndefined();
    const timeline = (await t.call('GET', `/v1/entities/${id}/timeline`)).body.events;
    expect(timeline.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'arrived',
      'run.started',
      'run.completed',
      'moved',
      'arrived',
      'run.started',
      'run.completed',
      'moved',
      'arrived',
      'run.started',
      'run.completed',
      'journey.completed',
    ]);
    const runIds = timeline
      .filter((e: { type: string }) => e.type === 'run.started')
      .map((e: { data: { runId: string } }) => e.data.runId);
    for (const runId of runIds) expect((await t.call('GET', `/v1/runs/${runId}`)).body.status).toBe('completed');
    const last = (await t.call('GET', `/v1/runs/${runIds[2]}`)).body;
    expect(last.input).toMatchObject({ note: 'welcome', trigger: { uxNodeId: 'won', source: 'run', entityId: id } });
    expect((await t.call('GET', '/v1/journeys/sales/board')).body.completed).toBeGreaterThanOrEqual(1);
  });

  it('an email sent to the SMTP listener creates the sender as an entity where the hook says, and it walks on', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: t.server.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'Grace Hopper <grace@example.com>',
      to: 'replies@runloom.test',
      subject: 'Re: our call',
      text: 'Yes, Thursday works.',
      messageId: '<reply-1@example.com>',
    });
    const found = await until(
      async () =>
        (await t.call('GET', '/v1/journeys/sales/entities')).body.entities.find(
          (e: { email: string }) => e.email === 'grace@example.com',
        ),
      (e) => e !== undefined,
    );
    expect(found).toMatchObject({
      name: 'Grace Hopper',
      metadata: { lastReply: { subject: 'Re: our call', text: 'Yes, Thursday works.' } },
    });
    // Attribute score absent: the condition fails, the default leads to the manual step.
    await until(
      () => entity(found.id),
      (e) => e.nodeId === 'nurture',
    );
    const timeline = (await t.call('GET', `/v1/entities/${found.id}/timeline`)).body.events;
    expect(timeline[1]).toMatchObject({
      type: 'email.received',
      data: { from: 'grace@example.com', messageId: '<reply-1@example.com>' },
    });
    // Mail for an address no hook has is refused by the server, and the process keeps running.
    await expect(transport.sendMail({ from: 'x@example.com', to: 'nobody@runloom.test', text: 'hi' })).rejects.toThrow(/550/);
    // The same reply over HTTP (raw MIME) is taken once: a second delivery of one Message-ID is a replay.
    const mime = [
      'From: grace@example.com',
      'To: replies@runloom.test',
      'Subject: Re: our call',
      'Message-ID: <reply-1@example.com>',
      '',
      'again',
    ].join('\r\n');
    const again = await t.call('POST', '/v1/hooks/replies/email', { raw: mime, headers: { 'content-type': 'message/rfc822' } });
    expect(again.status).toBe(409);
    const fresh = mime.replace('reply-1', 'reply-2').replace('again', 'See you then.');
    const second = await t.call('POST', '/v1/hooks/replies/email', { raw: fresh, headers: { 'content-type': 'message/rfc822' } });
    expect(second.status).toBe(200);
    expect(second.body.entity.metadata.lastReply.text).toBe('See you then.');
  });

  it('refuses bad signatures, stale timestamps, replays, oversized bodies and wrong content types, storing nothing', async () => {
    await until(stored, (s) =>
      s.board.nodes.every((n: { nodeId: string; active: number }) => n.nodeId === 'nurture' || n.active === 0),
    );
    const before = await stored();
    const body = JSON.stringify({ contact: { email: 'mallory@example.com' }, score: 99 });
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Parameters<TestServer['call']>[2], number][] = [
      ['bad signature', signed(body, now, 'another-secret-of-length'), 401],
      ['no signature', { raw: body, headers: { 'content-type': 'application/json' } }, 401],
      ['stale timestamp', signed(body, now - 3600), 401],
      ['future timestamp', signed(body, now + 3600), 401],
      ['wrong content type', { ...signed(body), headers: { ...signed(body).headers, 'content-type': 'text/plain' } }, 415],
      ['oversized', signed(JSON.stringify({ pad: 'x'.repeat(300_000) })), 413],
      ['not JSON', signed('{"contact":'), 400],
    ];
    for (const [name, options, status] of cases) {
      const reply = await t.call('POST', '/v1/hooks/leads', options);
      expect(reply.status, name).toBe(status);
      expect(reply.body.error.message, name).not.toContain(SECRET);
    }
    expect(await stored()).toEqual(before);
    const replayed = signed(body);
    expect((await t.call('POST', '/v1/hooks/leads', replayed)).status).toBe(200);
    const afterFirst = await stored();
    const replay = await t.call('POST', '/v1/hooks/leads', replayed);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('REPLAYED');
    expect((await stored()).entities.entities.length).toBe(afterFirst.entities.entities.length);
    expect((await t.call('POST', '/v1/hooks/nope', signed(body))).status).toBe(404);
    expect(JSON.stringify((await t.call('GET', '/v1/hooks')).body)).not.toContain(SECRET);
    expect(logs.length).toBeGreaterThan(10);
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('places only at ux nodes and names the problem', async () => {
    const refused = await t.call('POST', '/v1/journeys/sales/entities', { body: { email: 'z@example.com', nodeId: 'start' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'NOT_A_UX_NODE', details: { nodeId: 'start' } });
    const created = await t.call('POST', '/v1/journeys/sales/entities', { body: { email: 'z@example.com', nodeId: 'nurture' } });
    expect(created.status).toBe(201);
    const moved = await t.call('POST', `/v1/entities/${created.body.id}/move`, { body: { nodeId: 'ghost' } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toContain("'ghost' is not a ux node of journey 'sales'");
    const badMapping = await t.call('PUT', '/v1/journeys/sales/mappings', {
      body: { mappings: [{ nodeId: 'won', flowId: 'missing' }] },
    });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.error.details.problems).toEqual([
      "mappings[0].flowId: flow 'missing' is not published in this workspace",
    ]);
  });
});
