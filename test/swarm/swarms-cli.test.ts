/** `runloom swarms …` as a user runs it: a real child process on a SQLite file, then through `--server`. */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, example, shown, tempDir } from '../cli/helpers.js';
import { openServer } from '../server/support.js';

const tmp = tempDir('runloom-swarms-cli-');
afterAll(() => tmp.cleanup());
const store = ['--store', tmp.path('r.db')];

describe('runloom swarms', () => {
  it('start, patch (with a conflict), show, audit, stop — on a SQLite file', async () => {
    const started = await cli([...store, '--json', 'swarms', 'start', example('swarm/lead-team.swarm.yaml')]);
    expect(started.code, shown(started)).toBe(0);
    const { id } = JSON.parse(started.stdout);
    const op = JSON.stringify({ op: 'append', path: 'blackboard.leads', value: 'initech' });
    const patched = await cli([...store, 'swarms', 'patch', id, '--op', op, '--expected-version', '1']);
    expect(patched.stdout).toContain('is at version 2');
    const stale = await cli([...store, 'swarms', 'patch', id, '--op', op, '--expected-version', '1']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/version 2, not the version expected/);
    const bad = await cli([...store, 'swarms', 'patch', id, '--op', '{"op":"increment","path":"blackboard.leads"}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ops\[0\] at 'blackboard.leads': increment needs a number there, not an array/);
    const show = await cli([...store, 'swarms', 'show', id]);
    expect(show.stdout).toContain('blackboard.leads = ["acme","globex","initech"]');
    const audit = await cli([...store, 'swarms', 'audit', id]);
    expect(audit.code, shown(audit)).toBe(0);
    expect(audit.stdout).toContain('budget 500  spent 0  held 0  available 500');
    expect((await cli([...store, 'swarms', 'list'])).stdout).toContain('lead-team');
    expect((await cli([...store, 'swarms', 'stop', id])).stdout).toContain('stopped');
    expect((await cli([...store, 'swarms', 'show', 'swarm_nope'])).code).toBe(2);
  }, 90_000);

  it('watch follows changes from another process, and works through --server', async () => {
    const t = await openServer({ runloom: { store: 'memory:' } });
    try {
      const server = ['--server', t.url];
      const started = await cli([...server, '--json', 'swarms', 'start', example('swarm/lead-team.swarm.yaml')]);
      const { id } = JSON.parse(started.stdout);
      const watching = cli([
        ...server,
        '--json',
        'swarms',
        'watch',
        id,
        '--from',
        '1',
        '--paths',
        'blackboard.*',
        '--count',
        '2',
      ]);
      await t.runloom.swarms.patch(id, [{ op: 'set', path: 'goal', value: 'not followed' }]);
      await t.runloom.swarms.patch(id, [{ op: 'append', path: 'blackboard.leads', value: 'a' }]);
      await t.runloom.swarms.patch(id, [{ op: 'append', path: 'blackboard.leads', value: 'b' }]);
      const watched = await watching;
      expect(watched.code, shown(watched)).toBe(0);
      expect(
        watched.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).version),
      ).toEqual([3, 4]);
      const audit = await cli([...server, '--json', 'swarms', 'audit', id]);
      expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, budget: 500 });
    } finally {
      await t.close();
    }
  }, 60_000);
});
