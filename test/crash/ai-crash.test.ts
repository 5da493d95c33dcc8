/**
 * Issue 14's crash acceptance with real processes: an ai step of 8 tool rounds, and a
 * conversation between a person's messages, each SIGKILLed at random moments at least 10
 * times. The tool's effect and the model's calls are counted outside the processes, by a
 * loopback counter: after the restarts the run completes, every tool effect happened exactly
 * once under its stable idempotency key, and no recorded unit — tool call or model answer —
 * was done again after it was recorded. Replay with RUNLOOM_CRASH_SEED=<seed>.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/types.js';
import { createRunloom } from '../../src/runloom.js';
import { MESSAGES, ROUNDS } from './ai-counts.js';
import { Child, seededRandom, sleep } from './harness.js';

const KILLS = 10;
const seed = Number(process.env.RUNLOOM_CRASH_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);
const dir = mkdtempSync(join(tmpdir(), 'runloom-ai-crash-'));

/** What the counter saw, in order: each hit has an ordinal; a tool's effect applies once per key. */
interface Hit {
  readonly ordinal: number;
  readonly kind: 'model' | 'tool';
  /** The idempotency key (tool) or the unit asked for (model: `round 3`, `turn 2`). */
  readonly unit: string;
  readonly pid: number;
}
const hits: Hit[] = [];
const effects = new Map<string, number>();
/** Called at the next tool hit (a kill can then land inside the tool call, after its effect). */
let onHit: ((hit: Hit) => void) | undefined;
const nextHit = () =>
  new Promise<Hit>((resolve) => {
    onHit = resolve;
  });
let server: Server;
let counterUrl: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let text = '';
    for await (const piece of req) text += piece;
    const body = JSON.parse(text) as { key?: string; unit?: string; pid: number };
    const kind = req.url === '/tool' ? 'tool' : 'model';
    const hit = { ordinal: hits.length + 1, kind, unit: (kind === 'tool' ? body.key : body.unit) ?? '?', pid: body.pid } as const;
    hits.push(hit);
    // The effect, deduplicated by idempotency key as a careful service does.
    if (kind === 'tool' && !effects.has(hit.unit)) effects.set(hit.unit, hit.ordinal);
    if (kind === 'tool') {
      onHit?.(hit);
      onHit = undefined;
    }
    // A tool takes a while, so kills land inside calls as well as between them.
    if (kind === 'tool') await sleep(40 + Math.floor(random() * 60));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ordinal: hit.ordinal }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  counterUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const children: Child[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill();
  hits.length = 0;
  effects.clear();
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function spawnWorker(db: string, mode: 'reasoning' | 'conversation'): Child {
  const child = new Child('ai-worker.ts', [db, counterUrl, mode]);
  children.push(child);
  return child;
}

/** The log and the step's detail, read by a process of the test's own after the children are gone. */
async function finalRun(db: string) {
  const runloom = await createRunloom({ store: db, recover: false });
  try {
    const [summary] = await runloom.runs.list({});
    const run = await runloom.runs.get(summary.id);
    const state = await runloom.runs.state(summary.id);
    const log = await runloom.runs.events(summary.id, 0, 100_000);
    return { run, detail: state.steps.ask?.detail as Record<string, unknown>, log };
  } finally {
    await runloom.close();
  }
}

const unitsOf = (log: readonly RunEvent[]) =>
  log.filter((e) => e.type === 'step.progressed').map((e) => (e.data as { unit: Record<string, unknown> }).unit);

/** No unit done again after it was recorded: no hit for it with a later ordinal than the one recorded. */
function expectNothingRedone(unit: string, recordedOrdinal: number): void {
  const later = hits.filter((h) => h.unit === unit && h.ordinal > recordedOrdinal);
  expect(later, `${unit} was done again after ordinal ${recordedOrdinal} was recorded`).toEqual([]);
}

describe(`ai steps under kill -9 (seed ${seed})`, () => {
  it(`a reasoning step of ${ROUNDS} tool rounds killed at random moments ≥ ${KILLS} times: each effect once, nothing recorded done again`, {
    timeout: 300_000,
  }, async () => {
    const db = join(dir, 'reasoning.db');
    let kills = 0;
    for (let life = 0; ; life++) {
      const child = spawnWorker(db, 'reasoning');
      const ready = await Promise.race([child.line('ready', 60_000), child.line('done', 60_000)]);
      if (ready.startsWith('done') || kills >= KILLS) {
        expect(await child.line('done', 60_000)).toBe('done completed');
        expect((await child.exited).code).toBe(0);
        break;
      }
      // Half the time inside a tool call, after its effect and before its outcome is recorded;
      // else at any moment.
      if (random() < 0.5) {
        await Promise.race([nextHit(), child.exited]);
        await sleep(Math.floor(random() * 30));
      } else {
        await sleep(Math.floor(random() * 150));
      }
      if (child.hasExited) continue; // it finished first
      await child.kill();
      kills++;
      expect(life).toBeLessThan(200);
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const { run, detail, log } = await finalRun(db);
    expect(run.status).toBe('completed');
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    // Every effect exactly once, under the key of its round: the same key in every process.
    const keys = Array.from({ length: ROUNDS }, (_, i) => `${run.id}:ask:1:0:${i + 1}:1`);
    expect([...effects.keys()].sort()).toEqual([...keys].sort());
    // Each unit recorded once: 8 answers asking for the tool, 8 outcomes, the final answer.
    const units = unitsOf(log);
    expect(units.map((u) => u.kind)).toEqual([...Array.from({ length: ROUNDS }, () => ['model', 'tool']).flat(), 'model']);
    for (const unit of units) {
      if (unit.kind === 'tool') {
        const call = unit.call as { idempotencyKey: string; output: { ordinal: number } };
        expectNothingRedone(call.idempotencyKey, call.output.ordinal);
      } else {
        const answer = unit.answer as { text: string; toolCalls: { input: { round: number; asked: number } }[] };
        const asked = answer.toolCalls[0]?.input.asked ?? Number(/asked (\d+)/.exec(answer.text)?.[1]);
        const round = answer.toolCalls[0] ? answer.toolCalls[0].input.round - 1 : ROUNDS;
        expectNothingRedone(`round ${round}`, asked);
      }
    }
    expect(run.vars.answer).toMatch(new RegExp(`^looked up ${ROUNDS} times`));
    expect(detail).toMatchObject({ modelCalls: ROUNDS + 1 });
    expect((detail.toolCalls as unknown[]).length).toBe(ROUNDS);
    const toolHits = hits.filter((h) => h.kind === 'tool').length;
    console.log(
      `reasoning: ${kills} kills, ${toolHits} tool calls for ${ROUNDS} effects, ${hits.length - toolHits} model calls for ${ROUNDS + 1} answers`,
    );
  });

  it(`a conversation killed between (and during) its turns ≥ ${KILLS} times goes on where it was`, {
    timeout: 300_000,
  }, async () => {
    const db = join(dir, 'conversation.db');
    let kills = 0;
    let child: Child | undefined;
    for (let life = 0; ; life++) {
      expect(life).toBeLessThan(200);
      child = spawnWorker(db, 'conversation');
      const [, status, heard] = (await child.line('ready', 60_000)).split(' ');
      if (status === 'completed') break;
      expect(status).toBe('waiting');
      if (kills >= KILLS) {
        // Enough crashes: this process talks to the end.
        for (let n = Number(heard) + 1; n <= MESSAGES; n++) {
          const replied = child.line(`replied `, 60_000);
          child.send(`say m${n}`);
          await replied;
          child.lines.length = 0;
        }
        break;
      }
      // Between turns, or while the model answers the message just sent: a random moment.
      if (random() < 0.7) child.send(`say m${Number(heard) + 1}`);
      await sleep(Math.floor(random() * 200));
      await child.kill();
      kills++;
    }
    child?.send('exit');
    await child?.exited;
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const { run, log } = await finalRun(db);
    expect(run.status, `${child?.describe()}\nlog: ${JSON.stringify(log.slice(-12).map((e) => [e.seq, e.type, e.at]))}`).toBe(
      'completed',
    );
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    // Each message once, in order; the model replied to each once; the transcript is whole.
    const said = log.filter((e) => e.type === 'message.received').map((e) => (e.data as { text: string }).text);
    expect(said).toEqual(Array.from({ length: MESSAGES }, (_, i) => `m${i + 1}`));
    const output = run.vars.answer as { ended: string; turns: number; transcript: { from: string; text: string }[] };
    expect(output).toMatchObject({ ended: 'model', turns: MESSAGES + 1 });
    expect(output.transcript.map((l) => l.text.replace(/ \(asked \d+\)$/, ''))).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => [`reply ${i}`, `m${i + 1}`]).flat(),
    );
    const answers = unitsOf(log).filter((u) => u.kind === 'model');
    expect(answers).toHaveLength(MESSAGES + 1);
    for (const [turn, unit] of answers.entries()) {
      const answer = unit.answer as { text: string; toolCalls: { input: { summary: string } }[] };
      const asked = Number(/asked (\d+)/.exec(answer.text || answer.toolCalls[0]?.input.summary)?.[1]);
      expectNothingRedone(`turn ${turn}`, asked);
    }
    console.log(`conversation: ${kills} kills, ${hits.length} model calls for ${MESSAGES + 1} answers`);
  });
});
