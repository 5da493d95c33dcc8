/**
 * Work inside a step made durable through the log (engine/step-journal.ts): units a running
 * step records, a step that waits for a person's message, and the message that executes it
 * again with its journal. All of it folds again on replay.
 */
import { describe, expect, it } from 'vitest';
import { flow, HOLD, refusal, startRun } from './driver.js';

const chat = flow(
  `
format: runloom/v1
id: chat
nodes:
  - { id: start, type: start }
  - { id: talk, type: task, action: talk, output: talked }
  - { id: done, type: end }
edges: [{ from: start, to: talk }, { from: talk, to: done }]
`,
  { talk: () => HOLD },
);

describe('step journal', () => {
  it('keeps the units a running step records, in order, on its pending record; replay folds them', () => {
    const run = startRun(chat);
    const [seq] = run.steps.keys();
    run.send({ type: 'step.progressed', seq, unit: { kind: 'model', n: 1 } });
    run.send({ type: 'step.progressed', seq, unit: { kind: 'tool', n: 2 } });
    expect(run.state.pending[seq]).toMatchObject({
      journal: [
        { kind: 'model', n: 1 },
        { kind: 'tool', n: 2 },
      ],
    });
    expect(run.state.status).toBe('running');
    expect(run.eventsOf('step.progressed').map((e) => [e.nodeId, e.data])).toEqual([
      ['talk', { seq, unit: { kind: 'model', n: 1 } }],
      ['talk', { seq, unit: { kind: 'tool', n: 2 } }],
    ]);
    expect(run.replayed()).toEqual(run.state);
    run.complete('talk', 'ok');
    expect(run.state.status).toBe('completed');
    // A unit of a step no longer in flight changes nothing.
    expect(run.send({ type: 'step.progressed', seq, unit: { kind: 'late' } }).changed).toBe(false);
  });

  it('a step waits for a message: the run waits; the message executes it again with its journal, same seq and key', () => {
    const run = startRun(chat);
    const [seq] = run.steps.keys();
    const first = run.steps.get(seq);
    run.send({ type: 'step.progressed', seq, unit: { kind: 'model', text: 'Hello, how can I help?' } });
    run.send({ type: 'step.waiting', seq, waitingFor: 'message' });
    expect(run.state).toMatchObject({ status: 'waiting', reason: 'waiting_for_message' });
    expect(run.state.tokens[0]).toMatchObject({ status: 'waiting', waitingFor: 'message', seq });
    expect(run.state.pending[seq]).toMatchObject({ kind: 'step', waiting: 'message' });
    // A late unit of the parked step is not taken: nothing executes it.
    expect(run.send({ type: 'step.progressed', seq, unit: { kind: 'late' } }).changed).toBe(false);
    const activeBefore = run.state.usage.activeMs;

    run.steps.clear();
    run.now += 60_000;
    const t = run.send({ type: 'message.received', nodeId: 'talk', text: 'Move my booking', by: 'ada' });
    const again = t.effects.find((e) => e.type === 'step.execute');
    expect(again).toEqual({
      type: 'step.execute',
      seq,
      nodeId: 'talk',
      nodeType: 'task',
      attempt: first?.attempt,
      input: first?.input,
      idempotencyKey: first?.idempotencyKey,
      journal: [
        { kind: 'model', text: 'Hello, how can I help?' },
        { kind: 'message', text: 'Move my booking', at: 60_000, by: 'ada' },
      ],
    });
    expect(run.state).toMatchObject({ status: 'running' });
    expect(run.state.pending[seq]).not.toHaveProperty('waiting');
    // The minute spent waiting for the person is not active time.
    expect(run.state.usage.activeMs).toBe(activeBefore);
    expect(run.replayed()).toEqual(run.state);

    run.complete(seq, { turns: 1 });
    expect(run.state.status).toBe('completed');
    expect(run.state.vars.talked).toEqual({ turns: 1 });
    expect(run.replayed()).toEqual(run.state);
  });

  it('refuses a message the run cannot take, with nothing changed', () => {
    const run = startRun(chat);
    const [seq] = run.steps.keys();
    expect(refusal(() => run.send({ type: 'message.received', nodeId: 'talk', text: 'hi' })).code).toBe('NOT_WAITING');
    run.send({ type: 'step.waiting', seq, waitingFor: 'message' });
    const events = run.events.length;
    expect(refusal(() => run.send({ type: 'message.received', nodeId: 'nope', text: 'hi' })).code).toBe('NOT_WAITING');
    expect(refusal(() => run.send({ type: 'message.received', nodeId: 'talk', text: '  ' })).code).toBe('BAD_REQUEST');
    run.pause();
    expect(refusal(() => run.send({ type: 'message.received', nodeId: 'talk', text: 'hi' })).code).toBe('RUN_STATUS');
    run.resume();
    expect(run.state.reason).toBe('waiting_for_message');
    // Only the pause and the resume were logged: the refused messages left no trace.
    expect(run.events.slice(events).map((e) => e.type)).toEqual([
      'pause.requested',
      'run.paused',
      'resume.requested',
      'run.resumed',
      'run.waiting',
    ]);
    // The person may end with no text.
    run.send({ type: 'message.received', nodeId: 'talk', text: '', end: true });
    expect(run.state.pending[seq]).toMatchObject({ journal: [{ kind: 'message', text: '', end: true }] });
  });

  it('cancelling a run whose step waits for a message withdraws the step', () => {
    const run = startRun(chat);
    const [seq] = run.steps.keys();
    run.send({ type: 'step.waiting', seq, waitingFor: 'message' });
    const t = run.cancel();
    expect(t.effects).toContainEqual(expect.objectContaining({ type: 'step.cancel', seq }));
    expect(run.state.status).toBe('cancelled');
    expect(refusal(() => run.send({ type: 'message.received', nodeId: 'talk', text: 'hi' })).code).toBe('RUN_STATUS');
  });
});
