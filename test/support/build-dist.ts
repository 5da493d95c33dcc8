/**
 * Vitest global setup: brings dist/ up to date once per test run, so tests that spawn the CLI as
 * a user does (`node bin/runloom.mjs …`, which loads the compiled dist/) run the current source.
 * Skipped when nothing under src/ or bench/ (nor a tsconfig) is newer than the last build; else
 * `tsc` rebuilds incrementally (a few seconds when few files changed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Written by every build (tsconfig.build.json's `tsBuildInfoFile`). */
const STAMP = join(REPO, 'dist', '.tsbuildinfo');
const INPUTS = ['src', 'bench', 'tsconfig.json', 'tsconfig.build.json'];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A directory's own mtime moves when a file in it is added, renamed or deleted.
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

function distIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return INPUTS.some((input) => newestChange(join(REPO, input)) > built);
}

export default function buildDist(): void {
  if (!distIsStale()) return;
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    // tsc still emits past type errors (vitest does not type-check either): warn, and refuse
    // only when there is no CLI to run at all.
    if (!existsSync(join(REPO, 'dist', 'src', 'cli', 'main.js'))) throw new Error(`npm run build failed:\n${output}`);
    process.stderr.write(`build-dist: tsc reported errors; the CLI tests run what it emitted\n${output}\n`);
    return;
  }
  // tsc leaves its build info alone when a touched file's output did not change: mark the check done.
  const now = new Date();
  utimesSync(STAMP, now, now);
}
