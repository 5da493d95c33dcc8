/**
 * Every code block of README.md is a test (issue 12, item 19), as `test/examples` runs every
 * example: a block is run as written (a placeholder such as `<runId>` is filled from the output
 * before it), or checked against the real thing, or skipped with its reason. A block this file
 * does not know fails the first test, so a new block cannot go untested by accident.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinActions } from '../../src/actions/builtins/index.js';
import { createActionRegistry } from '../../src/actions/registry.js';
import { parseFlowText, validateFlow } from '../../src/flow/index.js';
import { parsePromptText } from '../../src/prompt/template.js';
import { type CliResult, cli, REPO, runIdOf, shown, spawnCollect, tempDir, writeFile } from '../cli/helpers.js';
import { SIGNUP_JOURNEY } from '../journey/fixtures.js';

interface Block {
  readonly lang: string;
  readonly text: string;
  readonly line: number;
}

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    blocks.push({ lang: open[1], text: `${body.join('\n')}\n`, line: start + 1 });
  }
  return blocks;
}

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const BLOCKS = blocksOf(README);
const tmp = tempDir('runloom-readme-');
afterAll(() => tmp.cleanup());

/** A fresh directory to run a snippet in, where `zod` and the other packages resolve as in a project. */
function projectDir(name: string): string {
  const dir = tmp.path(name);
  mkdirSync(dir);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  return dir;
}

/** The block whose first line starts with `start`; exactly one must. */
function block(start: string): Block {
  const found = BLOCKS.filter((b) => b.text.startsWith(start));
  expect(found, `README blocks starting with ${JSON.stringify(start)}`).toHaveLength(1);
  return found[0];
}

const SKIPPED: Record<string, string> = {
  'npm install && npm start': 'installs into the shared tree; `npm start` itself is run by test/cli/run.test.ts',
  'export RUNLOOM_DATABASE_URL':
    'starts background workers; the same commands are run by test/worker with real PostgreSQL and Redis',
  'npm run bench:peers': 'installs the peers and runs for ~25 minutes',
  'npm test            #': 'the whole suite, lint, typecheck and bench',
  'runloom run examples/order-showcase.yaml &':
    'kills a process mid-run; test/cli/crashed-runs.test.ts does this with SIGKILL, then `runs resume` and `worker`',
  'npx runloom runs export --before 30d': 'test/cli/retention.test.ts runs export and prune on a real SQLite file',
  'npm install runloom': 'installs from the registry; test/package/pack.test.ts installs the packed tarball and runs --help',
  '// app.mjs': 'test/package/pack.test.ts imports the installed package from a plain .mjs file and runs a flow',
  '- id: triage': 'a fragment of a flow; test/ai/reasoning.test.ts and strategies.test.ts run ai nodes with these fields',
  'npx runloom serve ': 'starts a long-lived server; test/server/relay.test.ts and the web tests spawn `runloom serve`',
  'npx runloom keys create': 'test/server/cli-server.test.ts runs keys create, list and revoke',
  '# relays and workers on PostgreSQL + Redis':
    'starts servers and workers in the background; test/server/relay.test.ts runs two relays and a worker on PostgreSQL + Redis',
  'export KEY=rlk_': 'needs jq and a running server; test/server/routes.test.ts makes these requests over real HTTP',
  'npx runloom run examples/ai-reasoning.yaml':
    'test/examples/ai-examples.test.ts runs it offline through the CLI, on a copy of examples/, and checks the live text it prints',
  'RUNLOOM_CASSETTES=record OPENAI_API_KEY':
    'needs an OpenAI key; test/ai/replay.test.ts records through a loopback chat-completions server and replays with it down',
  '- id: note-lead':
    'a node fragment; test/swarm/writeback-crash.test.ts runs a flow of such swarm.patch nodes through 12 SIGKILLs',
  'runloom swarms start examples/swarm/lead-team.swarm.yaml --agents':
    'test/examples/swarm-example.test.ts runs it offline through the CLI on a copy of examples/ and checks the blackboard, subtask and audit',
  'runloom swarms start lead-team.swarm.yaml':
    'test/swarm/swarms-cli.test.ts runs start, patch (and a stale --expected-version), show, watch, audit and stop',
  '// prompts.ts':
    'needs a real model; test/prompt/prompt-runs.test.ts does each call (mock model) and openai-compatible.test.ts over HTTP',
  'runloom prompts push greet':
    'needs a model server; test/prompt/cli.test.ts runs push, prompt run --var, --no-track and chat --resume against a loopback one',
  '# journeys and entities from the CLI':
    'placeholders and a shared default store; test/journey/cli.test.ts runs journeys map|show|board and entities add|list|move|show on a real SQLite file and with --server',
  '// sign a webhook delivery':
    'needs a running server with a signed hook; test/journey/http.test.ts signs deliveries with signHook over real HTTP',
  '# the outreach walkthrough':
    'four long-lived processes; test/examples/outreach.test.ts runs the same steps (mail sink, contacts endpoint, pull flow, SMTP reply) end to end',
  '- id: desk':
    'a fragment of a flow; test/ai/conversation.test.ts runs conversations with these fields (tools, outputSchema, maxTurns, firstTurn)',
  'npx runloom run examples/ai-conversation.yaml':
    'placeholders (<runId>); test/examples/ai-examples.test.ts runs these exact commands offline, test/server/conversation.test.ts runs `runs say` with --server and --end',
};
const TESTED = [
  'npx runloom run examples/approval-signal.yaml',
  'format: runloom/v1',
  '$ runloom validate flow.yaml',
  "import { z } from 'zod';\nimport { createRunloom, defineAction }",
  "import { readFileSync } from 'node:fs';",
  'runloom run <file|flow[@version]>',
  '// my-actions.ts',
  '// A worker in your own process',
  'default: fast',
  '# runloom.config.yaml — the flow',
  '# lead-team.swarm.yaml',
  "import { createRunloom } from 'runloom';\n\nconst runloom = await createRunloom({ store: 'memory:' });\nconst swarm",
  '# greet.prompt.yaml',
  '# journey.yaml',
  '# journey-with-side-effects.yaml',
  '// A webhook receiver, and a run that waits for it',
];

/** A TypeScript snippet run as a module in `cwd`, `from 'runloom'` being this checkout. */
function runSnippet(code: string, cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const source = code.replaceAll("from 'runloom'", `from ${JSON.stringify(join(REPO, 'src/index.ts'))}`);
  const file = writeFile(join(cwd, `snippet-${Math.random().toString(36).slice(2)}.mts`), source);
  return spawnCollect([process.execPath, join(REPO, 'node_modules/tsx/dist/cli.mjs'), file], { cwd, env, timeoutMs: 60_000 });
}

describe('README.md code blocks', () => {
  it("the journey in the Journeys section is valid and is the outreach example's spine", () => {
    const text = block('# journey.yaml').text;
    const { problems } = validateFlow(parseFlowText(text, 'README journey.yaml'));
    expect(problems).toEqual([]);
    const example = parseFlowText(readFileSync(join(REPO, 'examples/outreach/journey.yaml'), 'utf8'), 'journey.yaml') as {
      nodes: { id: string }[];
      edges: unknown[];
    };
    const shown = parseFlowText(text, 'README') as typeof example;
    expect(shown.nodes.map((n) => n.id)).toEqual(example.nodes.map((n) => n.id));
    expect(shown.edges).toEqual(example.edges);
  });

  it('the journey with side effects is valid and is the one test/journey/system-edges.test.ts runs', () => {
    const text = block('# journey-with-side-effects.yaml').text;
    const flow = parseFlowText(text, 'README journey-with-side-effects.yaml');
    expect(validateFlow(flow).problems).toEqual([]);
    expect(flow).toEqual(SIGNUP_JOURNEY);
  });

  it('every block is either tested here or skipped with a reason', () => {
    for (const b of BLOCKS) {
      const known = [...TESTED, ...Object.keys(SKIPPED)].filter((start) => b.text.startsWith(start));
      expect(known, `README.md line ${b.line}: a block this test does not know:\n${b.text}`).toHaveLength(1);
    }
    for (const start of [...TESTED, ...Object.keys(SKIPPED)]) block(start);
  });

  it('"Run any flow file": the three commands as written, <runId> from the first; exits 3, 3, 0', async () => {
    const cwd = tmp.path('run-any');
    mkdirSync(cwd);
    cpSync(join(REPO, 'examples'), join(cwd, 'examples'), { recursive: true });
    let runId = '';
    const exits: (number | null)[] = [];
    for (const line of block('npx runloom run examples/approval-signal.yaml').text.trim().split('\n')) {
      const command = line.replace(/\s+#.*$/, '').replaceAll('<runId>', runId);
      const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(2); // drop `npx runloom`
      const result = await cli(args, { cwd });
      exits.push(result.code);
      if (!runId) runId = runIdOf(result.stdout);
      const said = /exits (\d)|exit (\d)/.exec(line);
      if (said) expect(result.code, shown(result)).toBe(Number(said[1] ?? said[2]));
    }
    expect(exits).toEqual([3, 3, 0]);
  });

  it('the flow format block: every field it shows is a real field (only graph problems for the elided edges)', () => {
    const text = block('format: runloom/v1').text;
    const { problems } = validateFlow(parseFlowText(text, 'README.yaml'), {
      actions: createActionRegistry(builtinActions()),
      flows: { has: (id) => id === 'billing-setup' },
    });
    const codes = new Set(problems.map((p) => p.code));
    for (const code of codes) expect(['UNREACHABLE_NODE', 'DEAD_END', 'NO_PATH_TO_END']).toContain(code);
  });

  it('the sample `runloom validate` output is what validate prints for test/readme/flow.yaml', async () => {
    const [command, ...expected] = block('$ runloom validate flow.yaml').text.split('\n');
    const result = await cli(command.slice('$ runloom '.length).split(' '), { cwd: join(REPO, 'test/readme') });
    expect(result.code, shown(result)).toBe(2);
    expect(result.stdout).toBe(expected.join('\n'));
  });

  it('defineAction: the lookup action runs in a flow, with a fake CRM standing in for `crm`', async () => {
    const cwd = projectDir('define');
    const snippet = block("import { z } from 'zod';\nimport { createRunloom, defineAction }").text;
    const result = await runSnippet(
      `${snippet}
const crm = { find: async (email: string, options: { idempotencyKey: string }) => ({ email, key: options.idempotencyKey }) };
const runloom = await createRunloom({ store: 'memory:', actions: [lookup] });
await runloom.flows.publish('format: runloom/v1\\nid: l\\nnodes:\\n  - { id: start, type: start }\\n  - { id: find, type: task, action: crm.lookup, input: { email: "=input.email" }, output: found }\\n  - { id: done, type: end }\\nedges:\\n  - { from: start, to: find }\\n  - { from: find, to: done }\\n');
const run = await runloom.runs.start('l', { email: 'ada@example.com' });
const done = await runloom.runs.wait(run.id);
console.log(JSON.stringify({ status: done.status, found: done.vars.found, credits: done.usage.credits }));
await runloom.close();
`,
      cwd,
    );
    expect(result.code, shown(result)).toBe(0);
    const out = JSON.parse(result.stdout.trim()) as { status: string; found: { email: string; key: string }; credits: number };
    expect(out).toMatchObject({ status: 'completed', found: { email: 'ada@example.com' }, credits: 2 });
    expect(out.found.key).toMatch(/^run_\w+:find:1:/);
  });

  it('the library API block runs as written, and ends (it used to hang)', async () => {
    const cwd = projectDir('library');
    cpSync(join(REPO, 'examples'), join(cwd, 'examples'), { recursive: true });
    const result = await runSnippet(block("import { readFileSync } from 'node:fs';").text, cwd);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toMatch(/^1 run\.started$/m);
    expect(result.stdout).toMatch(/ run\.completed\ncompleted \{/);
    expect(result.stdout).toContain("method: 'bank transfer'");
  });

  it('the CLI synopsis: every command and option it lists exists', { timeout: 90_000 }, async () => {
    const lines = block('runloom run <file|flow[@version]>').text.trim().split('\n');
    const global = await cli(['--help']);
    const helps = await Promise.all(
      lines.map((line) => {
        const words = line.split(' ').slice(1);
        const grouped = [
          'runs',
          'flows',
          'keys',
          'models',
          'import',
          'export',
          'prompts',
          'prompt',
          'journeys',
          'entities',
          'swarms',
        ].includes(words[0]);
        const path = words.slice(0, grouped ? 2 : 1).map((w) => w.split('|')[0]);
        return cli([...path, '--help']);
      }),
    );
    lines.forEach((line, i) => {
      expect(helps[i].code, shown(helps[i])).toBe(0);
      for (const option of line.match(/--[a-z-]+|-i\b/g) ?? [])
        expect(helps[i].stdout + global.stdout, `${line}: ${option}`).toContain(option);
    });
  });

  it('the prompt file block is a valid prompt, every variable it reads declared', () => {
    const definition = parsePromptText(block('# greet.prompt.yaml').text, 'greet.prompt.yaml');
    expect(Object.keys(definition.variables)).toEqual(['name', 'tone']);
  });

  it('the models config: `runloom models list --config` reads it and lists every model with its price', async () => {
    const cwd = projectDir('models');
    const config = writeFile(join(cwd, 'runloom.config.yaml'), block('default: fast').text);
    const result = await cli(['models', 'list', '--config', config, '--json'], { cwd });
    expect(result.code, shown(result)).toBe(0);
    const names = (JSON.parse(result.stdout) as { models: { name: string }[] }).models.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['fast', 'smart', 'local']));
  });

  it('the actions module shape: `runloom --actions ./my-actions.ts run` uses its action', async () => {
    const cwd = projectDir('actions');
    writeFile(
      join(cwd, 'my-actions.ts'),
      block('// my-actions.ts').text.replaceAll("from 'runloom'", `from ${JSON.stringify(join(REPO, 'src/index.ts'))}`),
    );
    const flow = writeFile(
      join(cwd, 'greet.yaml'),
      'format: runloom/v1\nid: greet\nnodes:\n  - { id: start, type: start }\n  - { id: hi, type: task, action: greet, input: { name: Ada }, output: hi }\n  - { id: done, type: end }\nedges:\n  - { from: start, to: hi }\n  - { from: hi, to: done }\n',
    );
    const result = await cli(['--actions', './my-actions.ts', 'run', flow], { cwd });
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toContain('"greeting": "Hello, Ada!"');
  });

  it.skipIf(!process.env.RUNLOOM_TEST_PG_URL || !process.env.RUNLOOM_TEST_REDIS_URL)(
    'a worker and a client in your own process (PostgreSQL and Redis)',
    async () => {
      const cwd = projectDir('worker');
      const schema = `readme_${process.pid}_${Date.now()}`;
      const result = await runSnippet(
        `import { createRunloom, defineAction } from 'runloom';
import { z } from 'zod';
const myAction = defineAction({ name: 'noop', input: z.object({}), run: () => null });
${block('// A worker in your own process').text}
await client.close();
await worker.close();
console.log('closed');
`,
        cwd,
        {
          RUNLOOM_DATABASE_URL: `${process.env.RUNLOOM_TEST_PG_URL}?schema=${schema}`,
          RUNLOOM_REDIS_URL: process.env.RUNLOOM_TEST_REDIS_URL,
        },
      );
      expect(result.code, shown(result)).toBe(0);
      expect(result.stdout).toBe('closed\n');
    },
  );

  it('webhook tasks: the receiver verifies the signature and answers through the callback URL', async () => {
    const cwd = projectDir('webhook');
    // Other ports than the README's, so that parallel test runs do not collide.
    const base = 20_000 + (process.pid % 20_000);
    const code = block('// A webhook receiver, and a run that waits for it')
      .text.replaceAll('4100', String(base))
      .replaceAll('4101', String(base + 1));
    const result = await runSnippet(code, cwd);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toBe("completed { greeting: 'hello Ada' }\n");
  });

  it('the cassette config block is a valid config (runloom validate checks it as one)', async () => {
    const cwd = tmp.path('cassettes');
    mkdirSync(cwd);
    const config = writeFile(join(cwd, 'runloom.config.yaml'), block('# runloom.config.yaml — the flow').text);
    const result = await cli(['validate', config], { cwd });
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toBe(`✓ ${config}\n`);
  });
});

describe('README.md: swarms', () => {
  it('the swarm file is one a swarm starts from, as the example file is', async () => {
    const { readSwarmFile } = await import('../../src/swarm/swarm-file.js');
    const file = readSwarmFile(block('# lead-team.swarm.yaml').text);
    expect(file).toMatchObject({ name: 'lead-team', budget: 500, keepVersions: 100 });
    expect(file.team.map((a) => a.id)).toEqual(['scout', 'judge']);
    readSwarmFile(readFileSync(join(REPO, 'examples/swarm/lead-team.swarm.yaml'), 'utf8'));
  });

  it('the library snippet prints what its comment says', async () => {
    const snippet = block(
      "import { createRunloom } from 'runloom';\n\nconst runloom = await createRunloom({ store: 'memory:' });\nconst swarm",
    );
    const result = await runSnippet(snippet.text, projectDir('swarms'));
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toContain("[ 2, 3, 4 ] { leads: [ 'acme' ] }");
  });
});
