/**
 * The example swarm (examples/swarm/) runs offline through the CLI, as on a fresh clone:
 * `runloom swarms start … --agents --wait` finds the swarm's runloom.config.yaml beside the file,
 * replays the agents' answers from the cassette, and the coordinator stops on the goal. The
 * blackboard, the subtask, the timeline's authors and the ledger's audit are asserted after.
 */
import { cpSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, EXAMPLES, tempDir } from '../cli/helpers.js';

const clone = tempDir('runloom-swarm-example-');
cpSync(EXAMPLES, clone.path('examples'), { recursive: true });
afterAll(() => clone.cleanup());

const offline = { cwd: clone.dir, env: cleanEnv({ OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined }) };

describe('the example swarm, offline', () => {
  it('the scout and the judge qualify both leads and finish; the ledger audits clean', async () => {
    const store = ['--store', clone.path('swarm.db')];
    const args = [...store, 'swarms', 'start', 'examples/swarm/lead-team.swarm.yaml', '--agents', '--wait'];
    const shown = await cli(args, offline);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/coordinator run \S+ completed \(stopped on goal\), \d+ credits/);
    expect(shown.stdout).toContain('subtask qualify: done Qualify acme and globex');

    const id = /^(swarm_\S+)/m.exec(shown.stdout)?.[1] as string;
    const swarm = JSON.parse((await cli([...store, '--json', 'swarms', 'show', id], offline)).stdout);
    const values = Object.fromEntries(
      Object.entries(swarm.context.blackboard).map(([k, e]) => [k, (e as { value: unknown }).value]),
    );
    expect(values).toMatchObject({
      leads: ['acme', 'globex'],
      facts: { acme: expect.stringContaining('demo'), globex: expect.stringContaining('no budget') },
      qualified: { acme: { rating: 'hot' }, globex: { rating: 'cold' } },
      finished: { outcome: 'acme is hot, globex is cold', reached: true },
    });
    expect(swarm.context.blackboard.qualified.author).toBe('judge');
    expect(swarm.context.blackboard.facts.author).toBe('scout');
    expect(swarm.context.subtasks.qualify).toMatchObject({ status: 'done', assignee: 'judge', result: { hot: ['acme'] } });

    const audit = await cli([...store, '--json', 'swarms', 'audit', id], offline);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, budget: 500, problems: [] });
  });
});
