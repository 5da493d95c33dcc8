/**
 * Runs that wait, answered across processes as the README shows, each command its own process
 * on one SQLite file:
 *  - approval-signal.yaml end to end: `run` leaves it waiting for a signal (exit 3), `runs signal`
 *    drives it to the manual decision (exit 3), `runs decide` completes it (exit 0), and
 *    `runs show|list|tail` read it back; refused answers (a payload the wait's schema rejects,
 *    an edge that does not exist, deciding twice) exit 2 and change nothing;
 *  - `runs pause|resume|cancel` on a waiting run: the status each leaves, exit codes, repeats.
 *
 * Each scenario is one test (its steps depend on each other); the two run side by side.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cli,
  eventLines,
  eventsOf,
  example,
  expectContiguous,
  expectRefused,
  ndjson,
  runIdOf,
  shown,
  tempDir,
} from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const APPROVED_OUTPUT = { employee: 'Grace', amount: 120, status: 'paid', approvedBy: 'Ada', method: 'bank transfer' };

const lastSeqOf = async (db: string, runId: string) => (await eventsOf(db, runId)).at(-1)?.seq ?? 0;
const expectExit = (result: CliResult, code: number, step: string) => expect(result.code, `${step}\n${shown(result)}`).toBe(code);

describe.concurrent('runs that wait, answered from the CLI', () => {
  it('approval-signal.yaml: run → signal → decide, then show/list/tail; wrong answers refused', { timeout: 90_000 }, async () => {
    const db = tmp.path('approval.db');
    const runloom = (...args: string[]) => cli(['--store', db, ...args]);

    // 1. `run` stops while the run waits for the signal: exit 3 and the command that answers it.
    const run = await runloom('run', example('approval-signal.yaml'), '-i', 'employee=Grace', '-i', 'amount=120');
    expectExit(run, 3, 'run');
    expect(run.stderr).toBe('');
    const runId = runIdOf(run.stdout);
    expect(run.stdout).toContain(`run ${runId}: waiting (waiting_for_signal)`);
    expect(run.stdout).toContain(`runloom runs signal ${runId} approval --data`);
    const started = eventLines(run.stdout);
    expectContiguous(started.map((l) => l.seq));
    expect(started.at(-1)?.type).toBe('run.waiting');
    let lastSeq = started.at(-1)?.seq ?? 0;

    // 2. A payload the wait's schema refuses: exit 2 naming the field, nothing logged. Meanwhile,
    //    another run of the flow now published, by id@version, with -i values parsed as JSON.
    const [badPayload, byId] = await Promise.all([
      runloom('runs', 'signal', runId, 'approval', '--data', '{"approved":"yes"}'),
      runloom('run', 'approval-signal@1', '-i', 'employee=Linus', '-i', 'amount=75.5', '--json'),
    ]);
    expectRefused(badPayload, '[INPUT_INVALID]', "signal 'approval'", '/approved', 'boolean');
    expect(badPayload.stdout).toBe('');
    expect(await lastSeqOf(db, runId)).toBe(lastSeq);
    expectExit(byId, 3, 'run approval-signal@1');
    const other = ndjson(byId).at(-1) as { type: string; run: { id: string } };
    expect(other).toMatchObject({
      type: 'run.summary',
      run: { flowId: 'approval-signal', flowVersion: 1, status: 'waiting', vars: { claim: { employee: 'Linus', amount: 75.5 } } },
    });

    // 3. `runs signal` continues it in this process up to the manual decision: exit 3. The
    //    display starts with the signal itself: nothing between the two processes is skipped.
    const signal = await runloom('runs', 'signal', runId, 'approval', '--data', '{"approved":true,"by":"Ada"}');
    expectExit(signal, 3, 'signal');
    expect(signal.stderr).toBe('');
    const signalled = eventLines(signal.stdout);
    expectContiguous(
      signalled.map((l) => l.seq),
      lastSeq,
    );
    expect(signalled[0].type).toBe('signal.received');
    expect(signalled.map((l) => l.type)).toContain('decision.requested');
    expect(signal.stdout).toContain(`run ${runId}: waiting (waiting_for_decision)`);
    expect(signal.stdout).toContain(`runloom runs decide ${runId} payout <bankTransfer|giftCard>`);
    lastSeq = signalled.at(-1)?.seq ?? 0;

    // 4. Deciding an edge that does not exist: exit 2, the options listed, nothing logged.
    const badEdge = await runloom('runs', 'decide', runId, 'payout', 'cash');
    expectRefused(badEdge, "'cash'", 'bankTransfer', 'giftCard');
    expect(await lastSeqOf(db, runId)).toBe(lastSeq);

    // 5. `runs decide` completes it: exit 0 and the output.
    const decide = await runloom('runs', 'decide', runId, 'payout', 'bankTransfer', '--reason', 'usual method');
    expectExit(decide, 0, 'decide');
    expect(decide.stderr).toBe('');
    const decided = eventLines(decide.stdout);
    expectContiguous(
      decided.map((l) => l.seq),
      lastSeq,
    );
    expect(decided[0].type).toBe('decision.made');
    expect(decided.at(-1)?.type).toBe('run.completed');
    expect(decide.stdout).toContain(`run ${runId}: completed ·`);
    expect(JSON.parse(decide.stdout.slice(decide.stdout.indexOf('output: ') + 8))).toEqual(APPROVED_OUTPUT);
    lastSeq = decided.at(-1)?.seq ?? 0;

    // 6. Readers, and two refusals, at once on the same store file.
    const [show, list, tail, decideAgain, cancel] = await Promise.all([
      runloom('runs', 'show', runId, '--json', '--steps'),
      runloom('runs', 'list', '--status', 'completed,waiting', '--json'),
      runloom('runs', 'tail', runId),
      runloom('runs', 'decide', runId, 'payout', 'giftCard'),
      runloom('runs', 'cancel', runId),
    ]);

    expectExit(show, 0, 'show');
    const view = JSON.parse(show.stdout) as { steps: { nodeId: string }[] };
    expect(view).toMatchObject({ id: runId, status: 'completed', output: APPROVED_OUTPUT });
    expect(view.steps.map((s) => s.nodeId)).toEqual(expect.arrayContaining(['submit', 'ask', 'bankTransfer']));

    expectExit(list, 0, 'list');
    const runs = JSON.parse(list.stdout) as { id: string; flowId: string; status: string }[];
    expect(runs.map((r) => [r.id, r.flowId, r.status]).sort()).toEqual(
      [
        [runId, 'approval-signal', 'completed'],
        [other.run.id, 'approval-signal', 'waiting'],
      ].sort(),
    );

    expectExit(tail, 0, 'tail');
    const logged = eventLines(tail.stdout);
    expectContiguous(logged.map((l) => l.seq));
    expect(logged.at(-1)).toMatchObject({ seq: lastSeq, type: 'run.completed' });
    expect(logged.map((l) => l.line)).toEqual(tail.stdout.trimEnd().split('\n')); // the whole log, nothing else

    expectRefused(decideAgain, '[RUN_STATUS]', runId, 'completed');
    expectRefused(cancel, '[RUN_STATUS]', 'cancel', 'completed');
    expect(await lastSeqOf(db, runId)).toBe(lastSeq);
  });

  it('runs pause|resume|cancel on a waiting run: statuses, exit codes, idempotent repeats', { timeout: 90_000 }, async () => {
    const db = tmp.path('controls.db');
    const runloom = (...args: string[]) => cli(['--store', db, ...args]);

    const run = await runloom('run', example('approval-signal.yaml'));
    expectExit(run, 3, 'run');
    const runId = runIdOf(run.stdout);

    // pause: exit 3 (left paused), then pausing again is a no-op that says how to resume.
    const pause = await runloom('runs', 'pause', runId, '--json');
    expectExit(pause, 3, 'pause');
    expect(JSON.parse(pause.stdout)).toMatchObject({ id: runId, status: 'paused', reason: 'user_paused' });
    const pausedAt = await lastSeqOf(db, runId);
    const again = await runloom('runs', 'pause', runId);
    expectExit(again, 3, 'pause again');
    expect(again.stdout).toContain(`run ${runId}: paused (user_paused)`);
    expect(again.stdout).toContain(`runloom runs resume ${runId}`);
    expect(again.stderr).toBe('');
    expect(await lastSeqOf(db, runId)).toBe(pausedAt);

    // resume: follows it back to its wait, its own events first (NDJSON), exit 3.
    const resume = await runloom('runs', 'resume', runId, '--json');
    expectExit(resume, 3, 'resume');
    const lines = ndjson(resume) as { seq?: number; type: string }[];
    const events = lines.slice(0, -1);
    expectContiguous(
      events.map((e) => e.seq ?? -1),
      pausedAt,
    );
    expect(events.map((e) => e.type)).toContain('run.resumed');
    expect(lines.at(-1)).toMatchObject({ type: 'run.summary', run: { status: 'waiting', reason: 'waiting_for_signal' } });

    // cancel: exit 1.
    const cancel = await runloom('runs', 'cancel', runId);
    expectExit(cancel, 1, 'cancel');
    expect(cancel.stdout).toContain(`run ${runId}: cancelled (user_cancelled)`);
    expect(cancel.stderr).toBe('');

    // A cancelled run: cancel again is a no-op (exit 1); resume is refused (exit 2).
    const cancelledAt = await lastSeqOf(db, runId);
    const [cancelAgain, resumeCancelled] = await Promise.all([
      runloom('runs', 'cancel', runId, '--json'),
      runloom('runs', 'resume', runId),
    ]);
    expectExit(cancelAgain, 1, 'cancel again');
    expect(JSON.parse(cancelAgain.stdout)).toMatchObject({ id: runId, status: 'cancelled', reason: 'user_cancelled' });
    expectRefused(resumeCancelled, '[RUN_STATUS]', 'resume', runId, 'cancelled');
    expect(await lastSeqOf(db, runId)).toBe(cancelledAt);
  });
});
