/**
 * Runloom side by side with the engines users would pick instead (issue 4):
 *
 *   npm run bench:peers                          full run: installs the peers if missing, builds
 *                                                Runloom, writes bench/RESULTS.md
 *   node bench/peers/run.mjs --quick             smoke run (small counts, one round)
 *   node bench/peers/run.mjs --only runloom,dbos --workloads W1,W3 --rounds 5
 *
 * Flags: --quick · --only <id|engine>,… · --workloads W1,…,W5 · --rounds N (default 3) ·
 * --timeout <seconds per process> · --write / --no-write (default: write only for a full,
 * unfiltered run) · --pg <admin URL> (default postgres://postgres@127.0.0.1:5432/postgres).
 * BENCH_COMMIT names the Runloom commit when this tree is not a git checkout (a clean export).
 *
 * Each engine × mode × workload runs in a child process of its own (clean heap, its own peak
 * RSS, a timeout), round after round with the engines' order rotated, so slow drift of the
 * machine spreads over all of them. A failure or a timeout becomes an ERROR cell, not a crash.
 */
import { execSync, fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, renderMarkdown, renderText, sections } from './lib/report.mjs';
import { selectTargets, workloadsOf } from './lib/targets.mjs';
import { SIZES, stepsPerRun, WARMUP_MS, WORKLOADS } from './lib/workloads.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '../..');
const RESULTS = join(ROOT, 'bench/RESULTS.md');
const ANALYSIS = join(HERE, 'ANALYSIS.md');

function parseArgs(argv) {
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (flag) =>
    (value(flag) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const quick = argv.includes('--quick');
  const only = list('--only');
  const workloads = list('--workloads');
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`--workloads: unknown workload ${w}`);
  const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds expects a positive integer');
  const full = !quick && only.length === 0 && workloads.length === 0;
  return {
    quick,
    only,
    workloads: workloads.length > 0 ? workloads : WORKLOADS,
    rounds,
    timeoutSeconds: Number(value('--timeout') ?? (quick ? 90 : 300)),
    write: argv.includes('--no-write') ? false : argv.includes('--write') || full,
    pgAdmin: value('--pg') ?? process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

const log = (line) => process.stderr.write(`  … ${line}\n`);

/** The peers live in bench/peers/node_modules, never in the library's dependencies. */
function ensurePeersInstalled() {
  const manifest = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'));
  const missing = Object.keys(manifest.dependencies).filter(
    (name) => !existsSync(join(HERE, 'node_modules', name, 'package.json')),
  );
  if (missing.length === 0) return;
  log(`installing the peers (${missing.join(', ')} missing): npm --prefix bench/peers install`);
  const result = spawnSync('npm', ['--prefix', HERE, 'install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm install in bench/peers failed');
}

function ensureRunloomBuilt() {
  if (!existsSync(join(ROOT, 'dist/src/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench:peers does)');
}

/** Recreates (or drops) the per-target databases on the local PostgreSQL. */
async function postgresAdmin(adminUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const urlOf = (database) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return {
    urlOf,
    async fresh(database) {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${database}`);
      return urlOf(database);
    },
    async drop(database) {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
    close: () => client.end(),
  };
}

/** One child process: one engine, one mode, one workload. Resolves with its message, or an error. */
function runChild(target, workload, options, env) {
  return new Promise((resolve) => {
    const child = fork(join(HERE, 'child.mjs'), [target.engine, target.mode, workload, options.quick ? 'quick' : 'full'], {
      // W5 parks 10,000 runs: some engines need more than V8's default old space for that.
      execArgv: ['--expose-gc', '--no-warnings', ...(workload === 'W5' ? ['--max-old-space-size=12288'] : [])],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let result;
    child.on('message', (message) => {
      result = message;
    });
    const timer = setTimeout(() => {
      result ??= { workload, error: `timed out after ${options.timeoutSeconds} s` };
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!result) {
        const tail = output.trim().split('\n').slice(-3).join(' / ').slice(0, 300);
        result = { workload, error: `process exited (${signal ?? code}) without a result${tail ? `: ${tail}` : ''}` };
      }
      resolve(result);
    });
  });
}

function record(results, target, workload, message) {
  results[target.id] ??= {};
  results[target.id][workload] ??= { units: 0, rates: [], cpuMicros: [], peakRss: 0, errors: [] };
  const cell = results[target.id][workload];
  cell.peakRss = Math.max(cell.peakRss, message.peakRssBytes ?? 0);
  if (message.error) {
    cell.errors.push(message.error);
    if (message.unsupported) cell.unsupported = true;
    return `${message.unsupported ? '—' : 'ERROR'} ${message.error}`;
  }
  if (workload === 'W5') {
    cell.park = message;
    return `${(message.rssPerRun / 1024).toFixed(1)} KB RSS per parked run`;
  }
  cell.units = message.steps;
  cell.rates.push(message.steps / message.seconds);
  cell.cpuMicros.push((message.cpuSeconds * 1e6) / message.steps);
  return `${Math.round(message.steps / message.seconds).toLocaleString('en-US')} steps/s`;
}

function versions() {
  const names = [
    '@langchain/langgraph',
    '@langchain/langgraph-checkpoint-sqlite',
    '@dbos-inc/dbos-sdk',
    'bpmn-engine',
    '@mastra/core',
    '@mastra/libsql',
  ];
  return names
    .map((name) => {
      try {
        return `${name} ${JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version}`;
      } catch {
        return `${name} (not installed)`;
      }
    })
    .join(' · ');
}

function commitOf() {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain -- src', { cwd: ROOT }).toString().trim() !== '';
    return `${sha}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    // Not a git checkout (e.g. a clean export of a commit): the caller may say which commit it is.
    return process.env.BENCH_COMMIT ?? 'unknown commit';
  }
}

function notes(options) {
  const size = options.quick ? 'quick' : 'full';
  const sizes = SIZES[size];
  return [
    `Sizes: W1 ${sizes.W1} runs × 10 steps one after another · W2 ${sizes.W2} runs × ${stepsPerRun('W2')} parallel steps + join · W3 ${sizes.W3} runs × 10 steps all in flight · W4 ${sizes.W4} runs of the BPMN process (7 tasks) one after another · W5 ${sizes.W5} runs parked.`,
    'A step is a task execution, counted inside the no-op task itself by every engine; each measurement checks the count (gateways, joins, start/end nodes are not steps).',
    `Each engine × mode × workload runs in its own process (clean heap, own peak RSS): warm-up passes (5–10% of the size each) for at least ${WARMUP_MS[size] / 1000} s, the same for every engine (a fixed number of runs warmed a slow engine for a while and a fast one for a few milliseconds, too little for the JIT), then one measurement. ${options.rounds} round(s), the engines' order rotated each round; median and min–max are across rounds. W5 is measured once (first round).`,
    "µs/step = wall time ÷ steps (amortised over all runs in flight for W2/W3). CPU µs/step = this process's user+system CPU ÷ steps (GC included; PostgreSQL's server CPU is not in it). Peak RSS = the process's maximum resident set.",
    '"Runloom ÷ this" divides the matched Runloom row (named in brackets) by the peer: same durability class, and for SQLite the same sync level (synchronous=NORMAL ↔ Runloom normal, FULL ↔ strict). W5: peer RSS per parked run ÷ Runloom\'s.',
    'W4 is flows/w4.bpmn for Runloom and bpmn-engine alike: Runloom publishes the XML (imported once; the embedded sub-process is a scope inside the same run). The other peers read no BPMN (W4 "—").',
    'Raw floors: one single-row INSERT per transaction, no engine — SQLite via src/store/sqlite/raw-floor.ts (Runloom\'s pragmas), PostgreSQL via pg, autocommit, one connection. "Runloom ÷ floor" ≥ 0.5 means within 2× of the floor.',
    'Peers, each used the way its docs show: LangGraph.js StateGraph + invoke per thread_id (W2: START → 100 nodes → a join node → END; recursionLimit 100, the default 25 would be enough; its default durability "async" writes a checkpoint while the next superstep runs); DBOS registerWorkflow + DBOS.runStep per step, startWorkflow/getResult for W3, DBOS.recv for W5; bpmn-engine new Engine per run with the definition parsed and serialized once (sourceContext), service tasks; Mastra createWorkflow/createStep, .then/.parallel, createRunAsync().start(), suspend() for W5.',
    'Mastra is @mastra/core 0.24 / @mastra/libsql 0.16: 1.x requires Node ≥ 22.13 and this run is on Node 20. Mastra "in memory" is a Mastra without storage: its snapshots go nowhere, a suspended run could not be resumed after a restart.',
    'bpmn-engine "SQLite": the listener saves engine.getState() after each activity ends (and when one waits), one upsert per save; the engine does not wait for the save, a run counts as done when its last save is written.',
  ];
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const targets = selectTargets(options.only);
  ensurePeersInstalled();
  ensureRunloomBuilt();
  const started = Date.now();
  process.stderr.write(
    `Runloom vs peers${options.quick ? ' (--quick)' : ''}: ${targets.map((t) => t.id).join(', ')}; ${options.workloads.join(',')}; ${options.rounds} round(s)\n`,
  );

  let pg;
  let pgError;
  if (targets.some((t) => t.database)) {
    try {
      pg = await postgresAdmin(options.pgAdmin);
    } catch (error) {
      pgError = `PostgreSQL not reachable at ${options.pgAdmin}: ${error.message}`;
    }
  }

  const results = {};
  try {
    for (let round = 0; round < options.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const target of order) {
        for (const workload of workloadsOf(target, options.workloads)) {
          if (workload === 'W5' && round > 0) continue;
          let message;
          const dir = mkdtempSync(join(tmpdir(), `runloom-peers-${target.id}-`));
          try {
            if (target.database && !pg) message = { workload, error: pgError };
            else {
              const pgUrl = target.database ? await pg.fresh(target.database) : undefined;
              message = await runChild(target, workload, options, { BENCH_DIR: dir, ...(pgUrl ? { BENCH_PG_URL: pgUrl } : {}) });
            }
          } catch (error) {
            message = { workload, error: error.message };
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
          log(`round ${round + 1}/${options.rounds} ${target.id} ${workload}: ${record(results, target, workload, message)}`);
        }
      }
    }
  } finally {
    if (pg) {
      for (const target of targets.filter((t) => t.database)) await pg.drop(target.database).catch(() => {});
      await pg.close();
    }
  }

  const parts = sections(results, targets, options.workloads);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const machine = machineInfo();
  const header = [...machine, `Runloom ${commitOf()} (compiled dist/) · peers: ${versions()}`, `Total ${seconds} s`];
  process.stdout.write(`\n${renderText(parts)}\n\n${header.join('\n')}\n`);

  if (options.write) {
    const flags = process.argv
      .slice(2)
      .filter((a) => a !== '--write')
      .join(' ');
    const md = [
      '# Runloom side by side with the engines users would pick instead',
      '',
      `Measured in one run on one machine by \`npm run bench:peers${flags ? ` -- ${flags}` : ''}\` (bench/peers/). Rerun it to refresh this file.`,
      '',
      ...header.map((line) => `- ${line}`),
      '',
      renderMarkdown(parts),
      '',
      '## How it was measured',
      '',
      ...notes(options).map((n) => `- ${n}`),
      '',
      // The hand-written closing note (where Runloom is short, where the time goes, what would fix it).
      ...(existsSync(ANALYSIS) ? [readFileSync(ANALYSIS, 'utf8').trim(), ''] : []),
    ].join('\n');
    writeFileSync(RESULTS, md);
    process.stderr.write(`wrote ${RESULTS}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
