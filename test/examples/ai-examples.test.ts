/**
 * The AI examples run offline through the CLI, as on a fresh clone: examples/ copied into an
 * empty folder with no runloom.config.yaml of its own and no network, `runloom run
 * examples/ai-….yaml` finds the examples' config beside the file and replays the model's
 * answers from the cassettes — printing the model's text as it is written — and a request the
 * cassette does not hold fails naming the cassette and the hash, with the cassette untouched.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, EXAMPLES, shown, tempDir } from '../cli/helpers.js';

const clone = tempDir('runloom-ai-examples-');
cpSync(EXAMPLES, clone.path('examples'), { recursive: true });
afterAll(() => clone.cleanup());

const cassette = (name: string) => readFileSync(clone.path('examples', 'cassettes', `${name}.json`), 'utf8');
// No key, no config named, no server: only what a fresh clone has.
const offline = { cwd: clone.dir, env: cleanEnv({ OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined }) };

describe('AI examples through the CLI, offline', () => {
  it('ai-reasoning.yaml: a tool round, then the answer, its text printed as it is written', async () => {
    const before = cassette('ai-reasoning');
    const result = await cli(['run', 'examples/ai-reasoning.yaml', '--store', clone.path('r.db')], offline);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toMatch(/^ {2}answer ▸ \{"total": 62, "reply": "Hi Ada, your order comes to 62\.00: .*\}$/m);
    expect(result.stdout).toMatch(/#\d+ step\.completed answer \[t1\] {2}\{"total":62,"reply":"Hi Ada/);
    expect(result.stdout).toContain('run ');
    expect(result.stdout).toMatch(/completed · 2 steps · 13 credits/);
    expect(result.stdout).toContain('"reply": "Hi Ada, your order comes to 62.00: 2 desk lamps at 24.50 and 4 bulbs at 3.25."');
    expect(cassette('ai-reasoning')).toBe(before);
    // tail --follow reads the log through the same follow: every stored event, and it ends with the run.
    const runId = /^run (\S+)$/m.exec(result.stdout)?.[1] as string;
    const tail = await cli(['runs', 'tail', runId, '--follow', '--store', clone.path('r.db')], offline);
    expect(tail.code, shown(tail)).toBe(0);
    const printed = result.stdout.split('\n').filter((line) => line.startsWith('#'));
    expect(tail.stdout.trim().split('\n')).toEqual(printed);
  });

  it('ai-decision.yaml: the model picks the refunds team; --json carries the live text without a seq', async () => {
    const result = await cli(['--json', 'run', 'examples/ai-decision.yaml', '--store', clone.path('d.db')], offline);
    expect(result.code, shown(result)).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const live = lines.filter((line) => line.live === true);
    expect(live.length).toBeGreaterThan(1);
    expect(live.every((line) => line.type === 'step.text' && line.nodeId === 'triage' && line.seq === undefined)).toBe(true);
    expect(JSON.parse(live.map((line) => line.text).join(''))).toMatchObject({ to: 'refunds' });
    const taken = lines.find((line) => line.type === 'decision.taken');
    expect(taken.data).toMatchObject({ to: 'refunds', by: 'ai' });
    const seqs = lines.filter((line) => line.seq !== undefined).map((line) => line.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(lines.at(-1).run).toMatchObject({ status: 'completed', output: { team: 'refunds' } });
  });

  it('ai-conversation.yaml: answered from the CLI with runs say, the desk ends it with the slot agreed', async () => {
    // As its comment says: `run` finds the config beside the file, the later commands are given it.
    const here = offline;
    const db = ['--store', clone.path('c.db'), '--config', 'examples/runloom.config.yaml'];
    const started = await cli(
      ['run', 'examples/ai-conversation.yaml', '--store', clone.path('c.db'), '--input', 'name=Grace'],
      here,
    );
    expect(started.code, shown(started)).toBe(3);
    expect(started.stdout).toContain('We have Mon 9:00, Tue 14:00 and Thu 11:30 open. Which suits you?');
    const runId = /^run (\S+)$/m.exec(started.stdout)?.[1] as string;
    expect(started.stdout).toContain(`runloom runs say ${runId} desk`);
    const first = await cli(['runs', 'say', runId, 'desk', 'Tuesday afternoon would suit me', ...db], here);
    expect(first.code, shown(first)).toBe(3);
    expect(first.stdout).toContain('Tuesday at 14:00 is open. Shall I book it for you?');
    const agreed = await cli(['--json', 'runs', 'say', runId, 'desk', 'Yes, 14:00 is fine', ...db], here);
    expect(agreed.code, shown(agreed)).toBe(0);
    const view = JSON.parse(agreed.stdout.trim().split('\n').at(-1) as string);
    expect(view.run ?? view).toMatchObject({ status: 'completed', output: { slot: 'Tue 14:00', ended: 'model', turns: 3 } });
    expect(cassette('ai-conversation')).toBe(readFileSync(join(EXAMPLES, 'cassettes', 'ai-conversation.json'), 'utf8'));
  });

  it('another input is a request the cassette does not hold: the step fails naming the cassette and the hash', async () => {
    const before = cassette('ai-reasoning');
    const result = await cli(
      ['run', 'examples/ai-reasoning.yaml', '--store', clone.path('miss.db'), '--input', 'customer=Grace'],
      offline,
    );
    expect(result.code, shown(result)).toBe(1);
    expect(result.stdout).toMatch(
      /error: \[CASSETTE_MISS\] model 'order-desk': cassette 'cassettes\/ai-reasoning\.json' has no answer for request [0-9a-f]{64} \(record it: RUNLOOM_CASSETTES=auto/,
    );
    expect(cassette('ai-reasoning')).toBe(before);
  });

  it('RUNLOOM_CONFIG wins over the config beside the flow file', async () => {
    const result = await cli(['run', join('..', 'ai-decision.yaml'), '--store', clone.path('w.db')], {
      ...offline,
      cwd: clone.path('examples', 'cassettes'),
      env: { ...offline.env, RUNLOOM_CONFIG: clone.path('nowhere.yaml') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("config file '");
  });

  it("`runloom validate examples/*.yaml` checks the examples' config as a config, and names a bad one's problems", async () => {
    const files = readdirSync(clone.path('examples'))
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => join('examples', file));
    writeFileSync(clone.path('runloom.config.yaml'), 'models:\n  r: { provider: replay, cassette: x.json, record: nope }\n');
    const [all, bad] = await Promise.all([
      cli(['validate', ...files], offline),
      cli(['validate', 'runloom.config.yaml'], offline),
    ]);
    rmSync(clone.path('runloom.config.yaml'));
    expect(all.code, shown(all)).toBe(0);
    expect(all.stdout).toContain('✓ examples/runloom.config.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("models.r.record: [CONFIG_INVALID] names model 'nope', which is not under models");
  });
});
