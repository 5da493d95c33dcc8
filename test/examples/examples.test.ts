/**
 * Every flow in examples/ runs end to end on an in-memory store, as a newcomer would run it
 * with `runloom run examples/<file>`: all example files are published together (so subflows
 * resolve by id), waits and decisions are answered through the API the CLI uses, and each run
 * must complete with the output its header comment promises.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunReason, RunState } from '../../src/engine/types.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import type { StepRecordRow } from '../../src/store/store.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
/**
 * Files in examples/ that are not flows: documentation, the AI examples' models and cassettes,
 * outreach/ (a journey example with its own test, test/examples/outreach.test.ts) and swarm/
 * (a swarm file, started by test/swarm/swarms-cli.test.ts).
 */
const DOCS = new Set(['README.md', 'runloom.config.yaml', 'cassettes', 'outreach', 'swarm']);
const FLOW_FILE = /\.(ya?ml|json)$/;

const files = readdirSync(EXAMPLES).sort();
const flowFiles = files.filter((file) => FLOW_FILE.test(file) && !DOCS.has(file));
const sources = flowFiles.map((file) => ({ source: readFileSync(join(EXAMPLES, file), 'utf8'), sourceName: file }));

/** Example flow id → its file; every example below must be listed here and every file must be an example. */
const TESTED = [
  // Run offline from its cassette by test/examples/ai-examples.test.ts, with a mock model by test/ai/conversation-example.test.ts.
  'ai-conversation',
  'ai-decision',
  'ai-reasoning',
  'approval-signal',
  'billing-setup',
  'boundary-timer',
  'decision-routing',
  'map-concurrency',
  'order-showcase',
  'parallel-fork-join',
  'retry-fallback',
  'subflow-call',
  'timer-cooldown',
];

// One Runloom for the file, as one `runloom` process would be: runs are independent by id.
let runloom: Runloom;
let logLines: string[] = [];

beforeAll(async () => {
  // The AI examples' models answer from their cassettes (RUNLOOM_CASSETTES unset: replay only).
  runloom = await createRunloom({
    store: 'memory:',
    config: join(EXAMPLES, 'runloom.config.yaml'),
    log: (message) => logLines.push(message),
  });
  await runloom.flows.publishAll(sources);
});

beforeEach(() => {
  logLines = [];
});

afterAll(async () => {
  await runloom?.close();
});

const finished = (runId: string) => runloom.runs.wait(runId);
const reached = (runId: string, reason: RunReason) => runloom.runs.wait(runId, (s: RunState) => s.reason === reason);

async function stepsOf(runId: string, nodeId: string): Promise<StepRecordRow[]> {
  return (await runloom.runs.steps(runId)).filter((row) => row.nodeId === nodeId);
}

async function eventsOf(runId: string, type: string) {
  return (await runloom.runs.events(runId)).filter((event) => event.type === type);
}

/** Most rows running at the same instant (half-open [startedAt, endedAt) intervals). */
function peakOverlap(rows: readonly StepRecordRow[]): number {
  return Math.max(
    ...rows.map((row) => rows.filter((other) => other.startedAt <= row.startedAt && row.startedAt < other.endedAt).length),
  );
}

describe('examples/ files', () => {
  it('holds only flow files (and its README), one per tested example', () => {
    expect(files.filter((file) => !FLOW_FILE.test(file) && !DOCS.has(file))).toEqual([]);
    expect(flowFiles.length).toBeGreaterThanOrEqual(7);
    expect(flowFiles.map((file) => file.replace(FLOW_FILE, ''))).toEqual(TESTED);
  });

  it.each(sources)('$sourceName validates with zero problems', ({ source, sourceName }) => {
    expect(runloom.flows.validate(source, sourceName)).toEqual([]);
  });

  it.each(sources)('$sourceName starts with a header comment saying how to run it', ({ source, sourceName }) => {
    const header = source.slice(0, source.indexOf('format: runloom/v1'));
    expect(header.split('\n').every((line) => line === '' || line.startsWith('#'))).toBe(true);
    expect(header).toContain('What it shows');
    expect(header).toContain(`runloom run examples/${sourceName}`);
    expect(header).toContain('Expected outcome');
  });

  it('the flow id of each file is its file name (what `runloom run` and subflows refer to)', async () => {
    const published = (await runloom.flows.list()).map((flow) => flow.flowId).sort();
    expect(published).toEqual(TESTED);
  });
});

describe('order-showcase (npm start)', () => {
  it('completes on its own in under 5 s with decision, fork/join, map, subflow, boundary and timer', async () => {
    const began = Date.now();
    const run = await runloom.runs.start('order-showcase', {});
    const done = await finished(run.id);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({
      customer: 'Ada',
      total: 388.5,
      shipping: 'express',
      picked: ['1 × lamp', '1 × desk', '2 × chair'],
      billing: { account: 'ACC-ADA', plan: 'invoice', invoice: 'Invoice for Ada: 388.50 EUR, paid by invoice' },
      note: 'Thank you, Ada! Your 3 items (388.50 EUR) ship express.',
      packingReminder: true,
      summary: 'Order for Ada: 388.50 EUR, express, billed to ACC-ADA — handed to the courier.',
    });

    // decision: the condition held, so the express edge was taken
    expect((await eventsOf(run.id, 'decision.taken')).map((e) => e.data)).toEqual([{ to: 'express' }]);
    // fork into three branches, and the AND-join consumed all three of them
    const [forked] = await eventsOf(run.id, 'branch.forked');
    const [joined] = await eventsOf(run.id, 'branch.joined');
    expect((forked.data as { tokens: number[] }).tokens).toHaveLength(3);
    expect((joined.data as { tokens: number[] }).tokens.sort()).toEqual((forked.data as { tokens: number[] }).tokens.sort());
    // map: one step per item, at most two at once
    const picks = await stepsOf(run.id, 'pick');
    expect(picks.map((row) => row.item).sort()).toEqual([0, 1, 2]);
    expect(peakOverlap(picks)).toBeLessThanOrEqual(2);
    // subflow: a real child run of billing-setup that completed
    const children = await runloom.runs.list({ parentRunId: run.id });
    expect(children.map((child) => [child.flowId, child.status])).toEqual([['billing-setup', 'completed']]);
    // the non-interrupting boundary timer fired while packing went on, and packing still completed
    expect((await eventsOf(run.id, 'boundary.triggered')).map((e) => e.data)).toEqual([
      { on: 'timer', to: 'nudgePacker', interrupting: false },
    ]);
    expect((await stepsOf(run.id, 'pack')).map((row) => row.status)).toEqual(['completed']);
    expect(logLines).toContain('Still packing… the courier is on the way.');
    // the courier timer ran after the join
    expect((await eventsOf(run.id, 'timer.started')).map((e) => e.nodeId)).toContain('handOver');
  });

  it('takes the default edge (standard shipping) for a small order', async () => {
    const run = await runloom.runs.start('order-showcase', { customer: 'Grace', items: [{ sku: 'pen', qty: 3, price: 2.5 }] });
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toMatchObject({
      customer: 'Grace',
      total: 7.5,
      shipping: 'standard',
      picked: ['3 × pen'],
      billing: { account: 'ACC-GRA', plan: 'card' },
    });
  });
});

describe('decision-routing', () => {
  it.each([
    [{}, 'normal', 'support', '8h'],
    [{ priority: 'urgent' }, 'urgent', 'on-call', '15m'],
    [{ priority: 'LOW' }, 'low', 'backlog', '5d'],
  ])('input %j → %s → %s', async (input, priority, team, sla) => {
    const run = await runloom.runs.start('decision-routing', input);
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ ticket: 'Printer is on fire', priority, team, sla });
    expect(logLines).toContain(`Printer is on fire → ${team} (SLA ${sla})`);
  });
});

describe('parallel-fork-join', () => {
  it('runs the three bookings concurrently and joins only when all three are done', async () => {
    const run = await runloom.runs.start('parallel-fork-join', {});
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({
      bookings: ['FL-LIS-ADA', 'HT-LIS-ADA', 'CR-LIS-ADA'],
      itinerary: 'Ada → Lisbon: flight FL-LIS-ADA, hotel HT-LIS-ADA, car CR-LIS-ADA',
    });
    const searches = (await runloom.runs.steps(run.id)).filter((row) => row.nodeId.startsWith('search'));
    expect(searches).toHaveLength(3);
    expect(peakOverlap(searches)).toBe(3);
    const [joined] = await eventsOf(run.id, 'branch.joined');
    expect((joined.data as { tokens: number[] }).tokens).toHaveLength(3);
    // the join fired after the slowest branch (the flight) was booked
    const [bookFlight] = await stepsOf(run.id, 'bookFlight');
    const [itinerary] = await stepsOf(run.id, 'itinerary');
    expect(itinerary.startedAt).toBeGreaterThanOrEqual(bookFlight.endedAt);
  });
});

describe('map-concurrency', () => {
  it('renders two at a time and keeps results in item order', async () => {
    const run = await runloom.runs.start('map-concurrency', {});
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({
      waited: [400, 100, 300, 200],
      captions: ['#1 cover.png (400 ms)', '#2 logo.png (100 ms)', '#3 banner.png (300 ms)', '#4 icon.png (200 ms)'],
    });
    const renders = await stepsOf(run.id, 'render');
    expect(renders.map((row) => row.item).sort()).toEqual([0, 1, 2, 3]);
    expect(peakOverlap(renders)).toBe(2);
    // items finished out of order (logo before cover), yet the results above are in item order
    const byItem = new Map(renders.map((row) => [row.item, row]));
    expect(byItem.get(1)!.endedAt).toBeLessThan(byItem.get(0)!.endedAt);
  });
});

describe('approval-signal', () => {
  it('waits for the approval signal, then for a manual payout decision', async () => {
    const run = await runloom.runs.start('approval-signal', { employee: 'Grace', amount: '120' });
    const waiting = await reached(run.id, 'waiting_for_signal');
    expect(waiting.status).toBe('waiting');
    expect(waiting.waitingOn).toEqual([{ nodeId: 'approval', waitingFor: 'signal', signal: 'approval' }]);
    // the wait's schema refuses a payload without a boolean `approved`
    await expect(runloom.runs.signal(run.id, 'approval', { approved: 'yes' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });

    await runloom.runs.signal(run.id, 'approval', { approved: true, by: 'Ada' });
    const deciding = await reached(run.id, 'waiting_for_decision');
    expect(deciding.waitingOn).toEqual([{ nodeId: 'payout', waitingFor: 'decision', options: ['bankTransfer', 'giftCard'] }]);

    await runloom.runs.decide(run.id, 'payout', 'bankTransfer', { by: 'Grace' });
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ employee: 'Grace', amount: 120, status: 'paid', approvedBy: 'Ada', method: 'bank transfer' });
    expect((await eventsOf(run.id, 'decision.made')).map((e) => e.nodeId)).toEqual(['payout']);
  });

  it('ends as rejected without asking for a payout when not approved', async () => {
    const run = await runloom.runs.start('approval-signal', {});
    await reached(run.id, 'waiting_for_signal');
    await runloom.runs.signal(run.id, 'approval', { approved: false, note: 'no receipt' });
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ employee: 'Grace', amount: 120, status: 'rejected' });
    expect(done.vars.result).toEqual({ status: 'rejected', reason: 'no receipt' });
    expect(await eventsOf(run.id, 'decision.requested')).toEqual([]);
  });
});

describe('timer-cooldown', () => {
  it('waits 1 s on the duration timer and until 1.5 s after the start on the until timer', async () => {
    const run = await runloom.runs.start('timer-cooldown', {});
    const waiting = await reached(run.id, 'waiting_for_timer');
    expect(waiting.status).toBe('waiting');
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    const output = done.output as { firstTimerMs: number; totalMs: number };
    expect(output.firstTimerMs).toBeGreaterThanOrEqual(1000);
    expect(output.totalMs).toBeGreaterThanOrEqual(1500);
    expect(output.totalMs).toBeLessThan(3000);
    expect((await eventsOf(run.id, 'timer.fired')).map((e) => e.nodeId)).toEqual(['coolDown', 'untilLater']);
  });
});

describe('subflow-call', () => {
  it('runs billing-setup as a child run and gets its output back', async () => {
    const run = await runloom.runs.start('subflow-call', { customer: 'Grace', total: 250 });
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars.billing).toEqual({
      account: 'ACC-GRA',
      plan: 'invoice',
      invoice: 'Invoice for Grace: 250.00 EUR, paid by invoice',
    });
    expect(done.output).toEqual({
      customer: 'Grace',
      account: 'ACC-GRA',
      plan: 'invoice',
      welcome: 'Welcome aboard, Grace! Your account ACC-GRA is ready. Invoice for Grace: 250.00 EUR, paid by invoice',
    });
    const [child] = await runloom.runs.list({ parentRunId: run.id });
    const childView = await runloom.runs.get(child.id);
    expect(childView).toMatchObject({ flowId: 'billing-setup', status: 'completed', parentRunId: run.id });
    // the child saw only what the input mapping passed
    expect(childView.input).toEqual({ customer: 'Grace', total: 250 });
  });

  it('falls back to its defaults without input', async () => {
    const done = await finished((await runloom.runs.start('subflow-call', {})).id);
    expect(done.output).toEqual({
      customer: 'Ada',
      account: 'ACC-ADA',
      plan: 'card',
      welcome: 'Welcome aboard, Ada! Your account ACC-ADA is ready. Invoice for Ada: 80.00 EUR, paid by card',
    });
  });
});

describe('billing-setup', () => {
  it('also runs on its own', async () => {
    const done = await finished((await runloom.runs.start('billing-setup', {})).id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ account: 'ACC-ADA', plan: 'card', invoice: 'Invoice for Ada: 0.00 EUR, paid by card' });
  });
});

describe('retry-fallback', () => {
  it('tries the charge 3 times with exponential backoff, then the error boundary takes the fallback', async () => {
    const run = await runloom.runs.start('retry-fallback', {});
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ status: 'queued for manual collection', attempts: 3, error: 'HTTP_NETWORK' });

    const charges = await stepsOf(run.id, 'charge');
    expect(charges.map((row) => [row.attempt, row.status, row.error?.code])).toEqual([
      [1, 'failed', 'HTTP_NETWORK'],
      [2, 'failed', 'HTTP_NETWORK'],
      [3, 'failed', 'HTTP_NETWORK'],
    ]);
    // backoff: 200 ms before attempt 2, 400 ms before attempt 3 (timers may fire a ms early)
    expect(charges[1].startedAt - charges[0].endedAt).toBeGreaterThanOrEqual(190);
    expect(charges[2].startedAt - charges[1].endedAt).toBeGreaterThanOrEqual(390);
    expect((await eventsOf(run.id, 'step.retrying')).map((e) => e.data)).toEqual([
      { attempt: 2, delay: 200, error: 'HTTP_NETWORK' },
      { attempt: 3, delay: 400, error: 'HTTP_NETWORK' },
    ]);

    // the fallback ran after the last attempt, and the happy path did not run at all
    const [fallback] = await stepsOf(run.id, 'queueForLater');
    expect(fallback.status).toBe('completed');
    expect(fallback.startedAt).toBeGreaterThanOrEqual(charges[2].endedAt);
    expect(await stepsOf(run.id, 'receipt')).toEqual([]);
    expect(logLines).toContain('Payment gateway unreachable after 3 attempts (HTTP_NETWORK); queued for manual collection');
  });
});

describe('boundary-timer', () => {
  it('reminds after 1 s without interrupting, then the 2 s deadline interrupts the 3 s report', async () => {
    const run = await runloom.runs.start('boundary-timer', {});
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ status: 'escalated', reminded: true });
    expect((await eventsOf(run.id, 'boundary.triggered')).map((e) => e.data)).toEqual([
      { on: 'timer', to: 'remind', interrupting: false },
      { on: 'timer', to: 'escalate', interrupting: true },
    ]);
    expect((await stepsOf(run.id, 'report')).map((row) => row.status)).toEqual(['cancelled']);
    expect(await stepsOf(run.id, 'deliver')).toEqual([]);
  });

  it.each([
    ['1500', { status: 'delivered', reminded: true }],
    ['500', { status: 'delivered', reminded: false }],
  ])('with workMs=%s the report finishes first: %j', async (workMs, output) => {
    const run = await runloom.runs.start('boundary-timer', { workMs });
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual(output);
    expect((await stepsOf(run.id, 'report')).map((row) => row.status)).toEqual(['completed']);
    expect(await stepsOf(run.id, 'escalate')).toEqual([]);
  });
});

describe('ai-reasoning', () => {
  it('adds the order up with the json.transform tool, then answers; replayed from its cassette', async () => {
    const run = await finished((await runloom.runs.start('ai-reasoning', {})).id);
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({
      total: 62,
      reply: 'Hi Ada, your order comes to 62.00: 2 desk lamps at 24.50 and 4 bulbs at 3.25.',
    });
    const answer = (await runloom.runs.state(run.id)).steps.answer;
    expect(answer.detail).toMatchObject({
      strategy: 'reasoning',
      model: 'order-desk',
      provider: 'replay',
      modelCalls: 2,
      tokensIn: 214 + 268,
      tokensOut: 36 + 41,
      toolCalls: [{ round: 1, call: 1, tool: 'json.transform', ok: true, output: { result: 62 } }],
    });
    expect(run.usage.credits).toBe((answer.detail as { credits: number }).credits);
  });
});

describe('ai-decision', () => {
  it('the model sends the broken-lamp message to refunds, with its reason recorded', async () => {
    const run = await finished((await runloom.runs.start('ai-decision', {})).id);
    expect(run.status).toBe('completed');
    expect(run.output).toMatchObject({ team: 'refunds' });
    const [taken] = await eventsOf(run.id, 'decision.taken');
    expect(taken.data).toEqual({
      to: 'refunds',
      by: 'ai',
      reason: 'The parcel arrived damaged and the customer asks for their money back.',
    });
  });
});
