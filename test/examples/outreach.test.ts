/**
 * The outreach example (examples/outreach/) as the README walks through it, offline: a mail
 * sink on loopback receives what `email.send` sends, the pull flow takes contacts from a local
 * HTTP endpoint into the journey's hook, a reply sent with nodemailer to the SMTP listener moves
 * the entity on, and it walks to `customer` and completes (Ada, budget 5000); Grace (budget
 * 500) goes back to `contacted` after the meeting.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, expect, it } from 'vitest';
import { until } from '../journey/fixtures.js';
import { openServer, type TestServer } from '../server/support.js';

const DIR = fileURLToPath(new URL('../../examples/outreach/', import.meta.url));
const read = (file: string) => readFileSync(`${DIR}${file}`, 'utf8');
const sent: { to: string; subject: string }[] = [];
let t: TestServer | undefined;
const closers: (() => unknown)[] = [];
afterAll(async () => {
  await t?.close();
  for (const close of closers) await close();
});

it('walks a contact from the pull flow through emails and a reply to customer', { timeout: 60_000 }, async () => {
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    onData(stream, session, callback) {
      let text = '';
      stream.on('data', (c) => {
        text += c;
      });
      stream.on('end', () => {
        sent.push({ to: session.envelope.rcptTo[0].address, subject: /^Subject: (.*)$/m.exec(text)?.[1] ?? '' });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => sink.close(() => resolve())));
  process.env.OUTREACH_SMTP = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
  const contacts = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(read('contacts.json')),
  );
  await new Promise<void>((resolve) => contacts.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => contacts.close(resolve)));

  const { default: actions } = await import('../../examples/outreach/actions.mjs');
  t = await openServer({ smtpPort: 0, runloom: { actions, journeys: { intervalMs: 50 } } });
  const flows = ['send-email.yaml', 'pull-contacts.yaml', 'journey.yaml'].map((file) => ({ flow: read(file), sourceName: file }));
  expect((await t.call('POST', '/v1/flows', { body: { flows } })).status).toBe(201);
  expect((await t.call('PUT', '/v1/journeys/outreach/mappings', { body: JSON.parse(read('mappings.json')) })).status).toBe(200);
  expect((await t.call('PUT', '/v1/hooks/prospects', { body: JSON.parse(read('prospects-hook.json')) })).status).toBe(200);
  expect((await t.call('PUT', '/v1/hooks/replies', { body: JSON.parse(read('replies-hook.json')) })).status).toBe(200);

  const source = `http://127.0.0.1:${(contacts.address() as AddressInfo).port}/contacts.json`;
  const pull = await t.runloom.runs.start('outreach-pull', { source, hook: `${t.url}/v1/hooks/prospects` });
  expect((await t.runloom.runs.wait(pull.id)).status).toBe('completed');
  const entities = async () =>
    (await t!.call('GET', '/v1/journeys/outreach/entities')).body.entities as {
      id: string;
      email: string;
      nodeId?: string;
      status: string;
    }[];
  const at = async (email: string) => (await entities()).find((e) => e.email === email);
  await until(
    () => at('ada@example.com'),
    (e) => e?.nodeId === 'contacted',
  );
  await until(
    () => at('grace@example.com'),
    (e) => e?.nodeId === 'contacted',
  );
  expect(sent).toEqual(
    expect.arrayContaining([
      { to: 'ada@example.com', subject: 'Quick question' },
      { to: 'grace@example.com', subject: 'Quick question' },
    ]),
  );

  const mail = nodemailer.createTransport({ host: '127.0.0.1', port: t.server.smtpPort, secure: false, ignoreTLS: true });
  for (const from of ['ada@example.com', 'grace@example.com'])
    await mail.sendMail({ from, to: 'replies@outreach.test', subject: 'Re: Quick question', text: 'Sounds good.' });
  const ada = await until(
    () => at('ada@example.com'),
    (e) => e?.status === 'completed',
  );
  await until(
    () => at('grace@example.com'),
    (e) => e?.nodeId === 'contacted' && sent.filter((s) => s.to === 'grace@example.com').length === 3,
  );
  expect(sent.filter((s) => s.to === 'ada@example.com').map((s) => s.subject)).toEqual([
    'Quick question',
    'Let us meet',
    'Our proposal',
    'Welcome aboard',
  ]);
  const timeline = (await t.call('GET', `/v1/entities/${ada!.id}/timeline`)).body.events.map((e: { type: string }) => e.type);
  expect(timeline).toContain('email.received');
  expect(timeline.at(-1)).toBe('journey.completed');
  const board = (await t.call('GET', '/v1/journeys/outreach/board')).body;
  expect(board).toMatchObject({ completed: 1, total: 2 });
});
