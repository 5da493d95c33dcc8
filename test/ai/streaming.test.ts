/**
 * Live model text (issue 14 item 6): an ai step's text reaches the run's followers while the
 * model is still writing — through the library's follow, the API's SSE on loopback and the
 * CLI (under a pseudo-terminal and piped, against a slow loopback model server) — as
 * live events that are never stored and carry no seq, so the stored log and the SSE
 * `id:` / Last-Event-ID contract stay exactly as they were.
 */

import { writeFileSync } from 'node:fs';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isLive, type LiveEvent } from '../../src/bus/bus.js';
import { remoteRuns } from '../../src/cli/runs-client.js';
import { createApiClient } from '../../src/cli/server-client.js';
import type { RunEvent } from '../../src/engine/types.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { BIN, cleanEnv, shown, spawnCollect, tempDir } from '../cli/helpers.js';
import { openSse, type SseMessage } from '../server/sse-client.js';
import { openServer, type TestServer } from '../server/support.js';
import { startChatServer } from '../support/chat-server.js';
import { answerParts } from './scripted-model.js';

const PIECES = ['Dear Ada, ', 'your order ', 'has shipped ', 'today.'];

type StreamPart = ReturnType<typeof answerParts>[number];

/**
 * A model that waits for `begin()` (a follower is in place: live text written before anyone
 * follows reaches nobody), writes the first piece, then waits for `release()` before writing
 * the rest: whatever a follower sees before that was sent while the step was running.
 */
function gatedModel() {
  let begin!: () => void;
  let release!: () => void;
  const begun = new Promise<void>((resolve) => {
    begin = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const model = new MockLanguageModelV3({
    doStream: async () => {
      const rest: StreamPart[] = [
        ...PIECES.slice(1).map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
        { type: 'text-end', id: 't' },
        ...answerParts({ usage: { input: 12, output: 9 } }, 0).slice(1),
      ];
      let opened = false;
      return {
        stream: new ReadableStream<StreamPart>({
          async pull(controller) {
            if (!opened) {
              opened = true;
              await begun;
              controller.enqueue({ type: 'stream-start', warnings: [] });
              controller.enqueue({ type: 'text-start', id: 't' });
              controller.enqueue({ type: 'text-delta', id: 't', delta: PIECES[0] });
              return;
            }
            await gate;
            for (const part of rest) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  });
  return { model, begin, release };
}

const letterFlow = {
  format: 'runloom/v1',
  id: 'letter',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'write', type: 'ai', prompt: 'Write to {{input.name}}', output: 'letter' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'write' },
    { from: 'write', to: 'done' },
  ],
};

const stepText = (events: readonly (RunEvent | LiveEvent)[]) =>
  events
    .filter(isLive)
    .map((e) => e.text)
    .join('');

let runloom: Runloom | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await runloom?.close();
  await server?.close();
  runloom = undefined;
  server = undefined;
});

describe('live model text through the library', () => {
  it('reaches a follower while the step runs, is never stored, and adds up to the stored text', async () => {
    const { model, begin, release } = gatedModel();
    runloom = await createRunloom({ store: 'memory:', models: { default: model } });
    await runloom.flows.publish(letterFlow);
    const run = await runloom.runs.start('letter', { name: 'Ada' });
    const seen: (RunEvent | LiveEvent)[] = [];
    const plain: RunEvent[] = [];
    const following = (async () => {
      for await (const event of (runloom as Runloom).runs.follow(run.id)) plain.push(event);
    })();
    for await (const event of runloom.runs.follow(run.id, { live: true })) {
      seen.push(event);
      begin();
      if (isLive(event) && seen.filter(isLive).length === 1) {
        // The model is held mid-answer: the step has not completed, nothing of the text is stored.
        expect(event).toMatchObject({ type: 'step.text', live: true, nodeId: 'write', attempt: 1, text: PIECES[0] });
        expect(event).not.toHaveProperty('seq');
        expect((await runloom.runs.events(run.id)).map((e) => e.type)).not.toContain('step.completed');
        release();
      }
    }
    await following;
    const stored = await runloom.runs.events(run.id);
    const done = await runloom.runs.get(run.id);
    expect(done.status).toBe('completed');
    expect(stepText(seen)).toBe(PIECES.join(''));
    expect(done.vars.letter).toBe(PIECES.join(''));
    // The stored events came in full, in order, and the live ones sat between the step's start and end.
    expect(seen.filter((e) => !isLive(e))).toEqual(stored);
    expect(plain).toEqual(stored);
    const types = seen.map((e) => (isLive(e) ? 'live' : `${e.type}:${e.nodeId ?? ''}`));
    const firstLive = types.indexOf('live');
    expect(types.indexOf('step.started:write')).toBeLessThan(firstLive);
    expect(types.lastIndexOf('live')).toBeLessThan(types.indexOf('step.completed:write'));
    expect(JSON.stringify(stored)).not.toContain('step.text');
  });
});

describe('live model text over SSE', () => {
  it('comes as `event: live` without an id; ids stay the stored seqs and Last-Event-ID resumes exactly', async () => {
    const { model, begin, release } = gatedModel();
    server = await openServer({ runloom: { models: { default: model } } });
    await server.runloom.flows.publish(letterFlow);
    const run = await server.runloom.runs.start('letter', { name: 'Ada' });
    const first = openSse(`${server.url}/v1/runs/${run.id}/events/follow`);
    expect(await first.status).toBe(200);
    const before: SseMessage[] = [];
    for (let message = await first.next(); message; message = await first.next()) {
      before.push(message);
      // A stored event came: the stream follows the run (it subscribes before reading the log).
      if (message.event === 'run-event') begin();
      if (message.event === 'live') break;
    }
    const live = before.at(-1) as SseMessage;
    expect(live.event).toBe('live');
    expect(live.id).toBeUndefined();
    expect(JSON.parse(live.data)).toMatchObject({ type: 'step.text', nodeId: 'write', text: PIECES[0] });
    first.destroy();
    // A reconnect names an id it saw: a stored seq, never anything a live event carried. It names
    // the one before the last, so the stream's first event (read after it subscribed) shows it
    // resumed exactly after that seq, and that the rest of the text will reach it.
    const ids = before.filter((m) => m.id !== undefined).map((m) => Number(m.id));
    const resumeAt = ids.at(-2) as number;
    const second = openSse(`${server.url}/v1/runs/${run.id}/events/follow`, { 'last-event-id': String(resumeAt) });
    expect(await second.status).toBe(200);
    expect((await second.next())?.event).toBe('open');
    expect(Number((await second.next())?.id)).toBe(resumeAt + 1);
    release();
    const after: SseMessage[] = [];
    for (let message = await second.next(); message; message = await second.next()) {
      after.push(message);
      if (message.event === 'end') break;
    }
    second.destroy();
    const stored = await server.runloom.runs.events(run.id);
    expect(ids).toEqual(stored.slice(0, ids.length).map((e) => e.seq));
    const resumed = after.filter((m) => m.event === 'run-event').map((m) => Number(m.id));
    expect([resumeAt + 1, ...resumed]).toEqual(stored.filter((e) => e.seq > resumeAt).map((e) => e.seq));
    expect(after.filter((m) => m.event === 'live').every((m) => m.id === undefined)).toBe(true);
    const text = [live, ...after]
      .filter((m) => m.event === 'live')
      .map((m) => (JSON.parse(m.data) as LiveEvent).text)
      .join('');
    // The second stream was in place before the rest was written: the whole text reached this client.
    expect(text).toBe(PIECES.join(''));
    expect(after.at(-1)?.event).toBe('end');
  });
});

describe('live model text through the CLI client of a server (--server)', () => {
  it('the SSE parser yields the live events between the stored ones, without a seq', async () => {
    const { model, begin, release } = gatedModel();
    server = await openServer({ runloom: { models: { default: model } } });
    await server.runloom.flows.publish(letterFlow);
    const run = await server.runloom.runs.start('letter', { name: 'Ada' });
    const stop = new AbortController();
    const seen: (RunEvent | LiveEvent)[] = [];
    for await (const event of remoteRuns(createApiClient(server.url, undefined)).follow(run.id, 0, stop.signal)) {
      seen.push(event);
      // The history came over the events route; the live part starts once the SSE stream is open.
      if (!isLive(event) && event.type === 'step.started' && event.nodeId === 'write') setTimeout(begin, 200);
      if (isLive(event)) release();
      // Aborted while still iterating, as `watchRun` does once the run settles: the stream must end.
      if (!isLive(event) && event.type === 'run.completed') stop.abort();
    }
    expect(stepText(seen)).toBe(PIECES.join(''));
    expect(seen.filter(isLive).every((e) => !('seq' in e) && e.nodeId === 'write')).toBe(true);
    expect(seen.filter((e) => !isLive(e))).toEqual(await server.runloom.runs.events(run.id));
  });
});

describe('live model text in the CLI', () => {
  const PROSE = ['Dear Ada, ', 'your order ', 'has shipped ', 'and should ', 'arrive on ', 'Friday.'];

  it('a terminal shows the text under its branch while the model writes; piped output gets a line of it', async () => {
    const chat = await startChatServer(() => ({ text: PROSE, pieceDelayMs: 150, usage: { prompt: 20, completion: 12 } }));
    const dir = tempDir('runloom-live-cli-');
    try {
      writeFileSync(
        dir.path('runloom.config.yaml'),
        `default: local\nmodels:\n  local: { provider: openai-compatible, baseURL: ${chat.baseURL}, model: tiny }\n`,
      );
      writeFileSync(dir.path('letter.yaml'), stringify(letterFlow));
      const args = (db: string) => [BIN, '--store', dir.path(db), 'run', dir.path('letter.yaml'), '-i', 'name=Ada'];
      const command = [process.execPath, ...args('tty.db')].map((a) => JSON.stringify(a)).join(' ');
      // util-linux `script` gives the command a pseudo-terminal; -e passes its exit code on.
      const [tty, piped] = await Promise.all([
        spawnCollect(['script', '-qfec', command, '/dev/null'], { cwd: dir.dir, timeoutMs: 30_000 }),
        spawnCollect([process.execPath, ...args('piped.db')], { cwd: dir.dir, env: cleanEnv(), timeoutMs: 30_000 }),
      ]);
      expect(tty.code, shown(tty)).toBe(0);
      // Redrawn as it grows: the text's line is drawn several times, each time longer.
      const drawn = [...new Set(tty.stdout.split('\n').flatMap((line) => /write ▸ (.*?)\r?$/.exec(line)?.[1] ?? []))];
      expect(drawn.length).toBeGreaterThan(1);
      expect(drawn[0]).not.toBe(PROSE.join(''));
      expect(PROSE.join('').startsWith(drawn[0].trim())).toBe(true);
      expect(drawn.some((text) => text.startsWith('Dear Ada, your order has shipped'))).toBe(true);
      expect(piped.code, shown(piped)).toBe(0);
      expect(piped.stdout).toContain(`  write ▸ ${PROSE.join('')}\n#`);
    } finally {
      dir.cleanup();
      await chat.close();
    }
  }, 60_000);
});
