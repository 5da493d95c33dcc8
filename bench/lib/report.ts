/** Turns measured rates into the results table (terminal and Markdown) with targets and ratios. */
import os from 'node:os';
import { MODE_LABELS, type Mode, modesOf, type Plan } from './plan.js';
import type { ModeResult, RowResult } from './run-mode.js';
import { SEQ_STEPS, WORKLOAD_LABELS, type WorkloadId } from './workloads.js';

/** The targets of "Performance by design", steps/s (none for the bare core: it is a reference). */
export function targetOf(mode: Mode, item: RowResult['item']): number | undefined {
  if (item === 'floor' || mode === 'core') return undefined;
  if (mode === 'memory') return 200_000;
  if (mode === 'normal') return item === 'W1' ? 25_000 : undefined;
  if (item === 'W1') return 3_000;
  if (item === 'W3') return 15_000;
  return undefined;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
const micros = (rate: number) => (1e6 / rate).toFixed(rate > 100_000 ? 2 : 1);
const spread = (rates: readonly number[]) => `${int(Math.min(...rates))}–${int(Math.max(...rates))}`;
const cpu = (values: readonly number[]) => {
  if (values.length === 0) return '';
  const m = median(values);
  return m.toFixed(m < 100 ? 1 : 0);
};

const COLUMNS = {
  mode: 'Mode',
  workload: 'Workload',
  units: 'Steps/rep',
  rate: 'Steps/s (median)',
  spread: 'min–max',
  micros: 'µs/step',
  cpu: 'CPU µs/step',
  perCommit: 'Steps/commit',
  floor: 'Raw commits/s',
  ratio: 'Ratio',
  target: 'Target',
  result: 'Result',
} as const;
type Column = keyof typeof COLUMNS;
const ORDER = Object.keys(COLUMNS) as Column[];
const HEADER = ORDER.map((c) => COLUMNS[c]);
const NUMERIC_COLUMNS: ReadonlySet<Column> = new Set(['units', 'rate', 'spread', 'micros', 'cpu', 'perCommit', 'floor', 'ratio']);
const NUMERIC = new Set(ORDER.flatMap((c, i) => (NUMERIC_COLUMNS.has(c) ? [i] : [])));

/** One table row in column order; absent cells are empty. */
const cells = (row: Partial<Record<Column, string>>): string[] => ORDER.map((c) => row[c] ?? '');

export function tableRows(results: readonly ModeResult[]): string[][] {
  const floors = new Map<Mode, number>();
  for (const result of results) {
    for (const row of result.rows) if (row.item === 'floor' && row.rates.length > 0) floors.set(row.mode, median(row.rates));
  }
  const out: string[][] = [];
  for (const result of results) {
    for (const row of result.rows) {
      const mode = MODE_LABELS[row.mode];
      const target = targetOf(row.mode, row.item);
      const workload = row.item === 'floor' ? 'raw floor: 1 insert per txn (rows/s)' : WORKLOAD_LABELS[row.item as WorkloadId];
      const targetCell = target === undefined ? '—' : `≥ ${int(target)}`;
      if (row.rates.length === 0) {
        out.push(cells({ mode, workload, rate: 'n/a', target: targetCell, result: `ERROR: ${row.error ?? 'no data'}` }));
        continue;
      }
      const m = median(row.rates);
      const floor = row.item === 'floor' ? m : floors.get(row.mode);
      const verdict = target === undefined ? '' : m >= target ? 'PASS' : 'SHORT';
      out.push(
        cells({
          mode,
          workload,
          units: int(row.units),
          rate: int(m),
          spread: spread(row.rates),
          micros: micros(m),
          cpu: cpu(row.cpuMicros),
          perCommit: row.item === 'floor' ? '1' : row.commits ? (row.units / row.commits).toFixed(2) : '—',
          floor: floor === undefined ? '—' : int(floor),
          ratio: floor === undefined ? '—' : `${(m / floor).toFixed(2)}×`,
          target: targetCell,
          result: row.error ? `${verdict} (ERROR: ${row.error})` : verdict,
        }),
      );
    }
    if (result.error)
      out.push(cells({ mode: MODE_LABELS[result.mode], workload: 'mode failed', result: `ERROR: ${result.error}` }));
  }
  return out;
}

export function textTable(rows: readonly string[][]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (NUMERIC.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table padded the way Biome formats one (so `npm run lint` accepts LAST_RUN.md). */
export function markdownTable(rows: readonly string[][]): string {
  const escaped = rows.map((r) => r.map((cell) => cell.replaceAll('|', '\\|')));
  const all = [HEADER, ...escaped];
  const widths = HEADER.map((_, c) => Math.max(3, ...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((cell, c) => (NUMERIC.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (NUMERIC.has(c) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(HEADER), rule, ...escaped.map(line)].join('\n');
}

export function rssLine(results: readonly ModeResult[], inline: boolean): string {
  const parts = results.map((r) => `${MODE_LABELS[r.mode]} ${mb(r.peakRssBytes)}`);
  const scope = inline ? 'cumulative, all modes measured in one process' : 'one process per mode';
  return `Peak RSS (${scope}): ${parts.join(' · ')}`;
}

export function notes(plan: Plan): string[] {
  const core = modesOf(plan).includes('core')
    ? [
        `${MODE_LABELS.core}: advance() alone on the same compiled flows — no runtime, store, action call or promise; each step.execute effect is answered at once with step.completed and counted as the step (W2: in fan-out order; W3: all runs started, then one step per run per pass). It is the pure core's cost: the gap to the other rows is the shell's.`,
      ]
    : [];
  const repeated = modesOf(plan).filter((mode) => plan.rounds[mode] > 1);
  const rounds = repeated.length
    ? [
        `${repeated.map((mode) => MODE_LABELS[mode]).join(' and ')}: each measurement runs its workload ${[...new Set(repeated.map((mode) => plan.rounds[mode]))].join('/')} times back to back (W3: rounds of ${plan.sizes.W3} concurrent runs, one after another), so that it lasts long enough for one collector pause not to decide it; Steps/rep counts them all.`,
      ]
    : [];
  return [
    `Steps are task executions counted inside the action (${plan.asyncAction ? 'an asynchronous no-op: --async-action' : 'a synchronous no-op'}). Each workload runs on a fresh store (a memory store keeps every run it saw), warmed up by one round of itself; median of ${plan.reps} measurements; min–max is the spread.`,
    ...rounds,
    ...core,
    "µs/step = wall time ÷ steps (for concurrent runs it is amortised over all runs in flight). CPU µs/step = this process's user+system CPU time ÷ steps (all threads, GC included; not I/O waits): it is what a step costs even when other work shares the machine.",
    'Steps/commit: steps ÷ store commits (one transaction each; the memory store writes each checkpoint as it is made) during the measured reps: how much group commit batched.',
    `Raw commits/s: plain SQLite (src/store/sqlite/raw-floor.ts), one single-row INSERT per transaction on a fresh file, same pragmas, measured ${plan.reps}× before and ${plan.reps}× after the workloads of its mode (pooled: disk sync latency drifts). Ratio = Runloom steps/s ÷ raw commits/s.`,
    `A run that is alone (W1) needs one durable commit per step plus one at start (${SEQ_STEPS + 1} commits per ${SEQ_STEPS} steps), so its ceiling is about the raw floor × ${SEQ_STEPS}/${SEQ_STEPS + 1}; concurrency (W2, W3) is what group commit turns into more steps per commit.`,
    `W2 sets maxParallel = 100 so every branch is in flight at once. W3 starts all runs at once, then awaits them all.`,
    ...(plan.asyncAction
      ? []
      : [
          "In memory a synchronous step is applied as soon as the transition that started it is done (no promise turn), so a run keeps going until it waits: W3's runs then mostly run one after another. On SQLite they interleave (commits are asynchronous); --async-action measures them interleaved in memory too.",
        ]),
  ];
}

export function machineInfo(): string[] {
  const cpus = os.cpus();
  const load = os.loadavg();
  const busy = load[0] > cpus.length * 0.5;
  return [
    `CPU: ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length} logical cores`,
    `Memory: ${Math.round(os.totalmem() / 1024 ** 3)} GiB · OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `Node ${process.version} · temp dir ${os.tmpdir()}`,
    `Date: ${new Date().toISOString()}`,
    `Load average at the end: ${load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min)${busy ? ' — the machine was busy: wall-clock rates are pessimistic, trust CPU µs/step more' : ''}`,
  ];
}
