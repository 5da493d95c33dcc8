/** The swarm routes on real HTTP: start, patch, 409 with the current version, errors that name where, SSE with resume. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../server/sse-client.js';
import { openServer, type TestServer } from '../server/support.js';

let t: TestServer;
beforeAll(async () => {
  t = await openServer({ runloom: { store: 'memory:' } });
});
afterAll(async () => {
  await t?.close();
});

const start = async () => {
  const reply = await t.call('POST', '/v1/swarms', { body: { file: 'name: api-team\ngoal: find leads\nbudget: 50\n' } });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; version: number };
};

describe('swarm routes', () => {
  it('patches with expectedVersion; a stale one is a 409 naming the current version', async () => {
    const swarm = await start();
    const ops = [{ op: 'append', path: 'blackboard.leads', value: 'ada' }];
    const ok = await t.call('POST', `/v1/swarms/${swarm.id}/patches`, { body: { ops, expectedVersion: 1, author: 'scout' } });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const stale = await t.call('POST', `/v1/swarms/${swarm.id}/patches`, { body: { ops, expectedVersion: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'CONFLICT', details: { currentVersion: 2 } });
    const history = await t.call('GET', `/v1/swarms/${swarm.id}/history`);
    expect(history.body.changes.map((c: { kind: string }) => c.kind)).toEqual(['created', 'patch']);
    const audit = await t.call('GET', `/v1/swarms/${swarm.id}/audit`);
    expect(audit.body).toMatchObject({ ok: true, budget: 50, available: 50 });
  });

  it('refuses bad input naming what and where, writing nothing', async () => {
    const swarm = await start();
    const bad = await t.call('POST', `/v1/swarms/${swarm.id}/patches`, {
      body: {
        ops: [
          { op: 'append', path: 'blackboard.n', value: 1 },
          { op: 'increment', path: 'blackboard.n' },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/ops\[1\] at 'blackboard.n': increment needs a number there, not an array/);
    expect((await t.call('GET', `/v1/swarms/${swarm.id}`)).body.version).toBe(1);
    const unknownOp = await t.call('POST', `/v1/swarms/${swarm.id}/patches`, { body: { ops: [{ op: 'swap', path: 'goal' }] } });
    expect(unknownOp.status).toBe(400);
    const badFile = await t.call('POST', '/v1/swarms', { body: { file: 'budget: lots' } });
    expect(badFile.status).toBe(400);
    expect(badFile.body.error.message).toMatch(/goal: .*budget: /);
    expect((await t.call('GET', '/v1/swarms/swarm_nope')).status).toBe(404);
  });

  it('POST /agents starts the coordinator run of the team; a swarm without a team is a 400 naming it, an unknown one a 404', async () => {
    const file = 'name: duo\ngoal: g\nbudget: 50\nteam:\n  - { id: scout, role: researcher }\n';
    const swarm = (await t.call('POST', '/v1/swarms', { body: { file } })).body as { id: string };
    const started = await t.call('POST', `/v1/swarms/${swarm.id}/agents`);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ flowId: `${swarm.id}-coordinator`, input: { swarm: swarm.id } });
    const teamless = await start();
    const refused = await t.call('POST', `/v1/swarms/${teamless.id}/agents`);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'INPUT_INVALID', message: expect.stringMatching(/has no team/) });
    expect((await t.call('POST', '/v1/swarms/swarm_nope/agents')).status).toBe(404);
  });

  it('streams changes over SSE, filtered, and resumes after Last-Event-ID with nothing missed', async () => {
    const swarm = await start();
    const url = `${t.url}/v1/swarms/${swarm.id}/changes/follow?paths=blackboard.*`;
    const first = openSse(url);
    expect(await first.status).toBe(200);
    expect((await first.next())?.event).toBe('open');
    await t.runloom.swarms.patch(swarm.id, [{ op: 'set', path: 'goal', value: 'new goal' }]);
    await t.runloom.swarms.patch(swarm.id, [{ op: 'append', path: 'blackboard.leads', value: 'ada' }]);
    const batch = await first.next();
    expect(batch?.event).toBe('swarm-changes');
    expect(batch?.id).toBe('3');
    expect(JSON.parse(batch?.data ?? '[]').map((c: { version: number }) => c.version)).toEqual([3]);
    first.destroy();
    await t.runloom.swarms.patch(swarm.id, [{ op: 'append', path: 'blackboard.leads', value: 'bob' }]);
    const again = openSse(url, { 'Last-Event-ID': '3' });
    await again.next(); // open
    const missed = await again.next();
    expect(JSON.parse(missed?.data ?? '[]')[0]).toMatchObject({ version: 4, ops: [{ op: 'append', value: 'bob' }] });
    again.destroy();
  });
});
