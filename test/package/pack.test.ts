/**
 * The package installs like any other (issue 13, item 9): `npm pack`, install the tarball into an
 * empty project from the npm registry (better-sqlite3 compiles from source there: minutes, hence
 * the long timeout), then use it the way a user does — `import 'runloom'` from plain .mjs and the
 * `runloom` command through npx — with no TypeScript loader anywhere in that project.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { example, REPO } from '../cli/helpers.js';

const run = promisify(execFile);
// Compiling better-sqlite3 takes 1–2 min on a quiet 2-core machine; the whole test took 12 and 18 min
// at a load average of 20 (other test runs sharing the cores).
const INSTALL_TIMEOUT_MS = 30 * 60_000;

/** The environment without what `npm test` sets for itself (npm_*), so the child npm acts as in a shell. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^npm_/i.test(key) && !key.startsWith('RUNLOOM_')) env[key] = value;
  return env;
}

const sh = (file: string, args: readonly string[], cwd: string, timeout = 120_000) =>
  run(file, args, { cwd, env: userEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });

const CONSUMER = `import { readFileSync } from 'node:fs';
import { createRunloom } from 'runloom';

const runloom = await createRunloom({ store: './consumer.db' });
await runloom.flows.publish(readFileSync(process.argv[2], 'utf8'));
const run = await runloom.runs.start('decision-routing', { priority: 'urgent' });
const done = await runloom.runs.wait(run.id);
await runloom.close();
console.log(JSON.stringify({ status: done.status, output: done.output }));
`;

describe('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runloom-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'installs from its tarball into an empty project, imports from .mjs, runs a flow, and answers `npx runloom --help`',
    async () => {
      // dist/ is current: the test run's global setup built it (so no prepare script here).
      const packed = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO);
      const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      const files = info.files.map((f) => f.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'package.json',
          'bin/runloom.mjs',
          'dist/src/index.js',
          'dist/src/index.d.ts',
          'dist/src/cli/main.js',
        ]),
      );
      // Compiled code only: no TypeScript sources, tests, benchmarks or source maps.
      expect(files.filter((f) => /^(src|test|bench|dist\/bench)\/|\.ts$(?<!\.d\.ts)|\.map$/.test(f))).toEqual([]);

      const project = join(dir, 'consumer');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      await sh(
        'npm',
        ['install', join(dir, info.filename), '--no-audit', '--no-fund', '--prefer-offline'],
        project,
        INSTALL_TIMEOUT_MS,
      );
      // Nothing needs a TypeScript loader at run time: it is not even installed.
      expect(existsSync(join(project, 'node_modules', 'runloom', 'dist', 'src', 'index.js'))).toBe(true);
      expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
      expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);

      writeFileSync(join(project, 'use.mjs'), CONSUMER);
      const used = await sh(process.execPath, ['use.mjs', example('decision-routing.yaml')], project);
      expect(JSON.parse(used.stdout)).toEqual({
        status: 'completed',
        output: { ticket: 'Printer is on fire', priority: 'urgent', team: 'on-call', sla: '15m' },
      });

      const help = await sh('npx', ['--no-install', 'runloom', '--help'], project);
      expect(help.stdout).toMatch(/^Usage: runloom/m);
      expect(help.stdout).toContain('runs');
      const cli = await sh('npx', ['--no-install', 'runloom', 'run', example('decision-routing.yaml'), '--json'], project);
      expect(cli.stdout).toContain('"status":"completed"');
      // A TypeScript actions module needs a loader the project does not have: refused, naming it.
      writeFileSync(join(project, 'actions.ts'), 'export default [];\n');
      const typed = await sh(
        'npx',
        ['--no-install', 'runloom', '--actions', 'actions.ts', 'run', example('decision-routing.yaml')],
        project,
      ).catch((error: { code: number; stderr: string }) => error);
      expect(typed).toMatchObject({ code: 2 });
      expect((typed as { stderr: string }).stderr).toContain("--actions 'actions.ts' is TypeScript: install tsx");
    },
    INSTALL_TIMEOUT_MS + 120_000,
  );
});
