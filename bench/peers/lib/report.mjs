/**
 * Turns the rounds' measurements into the tables: the same rows on the terminal and in
 * bench/RESULTS.md, with medians, spreads, peak RSS, the ratio of the matched Runloom row to
 * each peer, and the goals (≥ 10× the fastest matched peer; within 2× of the raw floor).
 */
import os from 'node:os';
import { FLOOR_OF, TARGETS } from './targets.mjs';
import { LABELS } from './workloads.mjs';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const mb = (bytes) => `${Math.round(bytes / 2 ** 20)} MB`;
const kb = (bytes) => `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
const us = (rate) => {
  const v = 1e6 / rate;
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : int(v);
};
const times = (r) => (r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(r >= 1 ? 1 : 2)}×`);

/** The median steps/s of one target's workload, or undefined. */
export function rateOf(results, id, workload) {
  const cell = results[id]?.[workload];
  return cell && cell.rates.length > 0 ? median(cell.rates) : undefined;
}

const targetById = new Map(TARGETS.map((t) => [t.id, t]));

function failure(cell) {
  if (!cell) return 'not run';
  if (cell.errors.length === 0) return undefined;
  return cell.errors[cell.errors.length - 1];
}

const RATE_HEADER = [
  'Workload',
  'Engine',
  'Durability',
  'Steps/round',
  'Steps/s (median)',
  'min–max',
  'µs/step (median)',
  'µs/step min–max',
  'CPU µs/step',
  'Peak RSS',
  'Runloom ÷ this',
];

function rateRows(results, targets, workloads) {
  const rows = [];
  for (const workload of workloads.filter((w) => w !== 'W5')) {
    for (const target of targets) {
      if (target.floor) continue;
      const cell = results[target.id]?.[workload];
      if (!cell) continue;
      const durability =
        workload === 'W4' && target.engine === 'runloom' ? `${target.durability}; flows/w4.bpmn imported` : target.durability;
      const base = [workload, target.name, durability];
      if (cell.rates.length === 0) {
        rows.push([
          ...base,
          '',
          'n/a',
          '',
          '',
          '',
          '',
          '',
          '',
          cell.unsupported ? `— (${failure(cell)})` : `ERROR: ${failure(cell)}`,
        ]);
        continue;
      }
      const m = median(cell.rates);
      const mine = target.versus ? rateOf(results, target.versus, workload) : undefined;
      const vs = target.versus
        ? mine === undefined
          ? 'n/a'
          : `${times(mine / m)} (${target.versus.replace('runloom-', '')})`
        : '';
      const err = failure(cell);
      rows.push([
        ...base,
        int(cell.units),
        int(m),
        `${int(Math.min(...cell.rates))}–${int(Math.max(...cell.rates))}`,
        us(m),
        `${us(Math.max(...cell.rates))}–${us(Math.min(...cell.rates))}`,
        median(cell.cpuMicros).toFixed(1),
        mb(cell.peakRss),
        err ? `${vs} (ERROR in a round: ${err})` : vs,
      ]);
    }
  }
  return rows;
}

const FLOOR_HEADER = ['Floor', 'What', 'Rows/round', 'Rows/s (median)', 'min–max', 'µs/row', 'CPU µs/row', 'Peak RSS'];

function floorRows(results, targets) {
  const rows = [];
  for (const target of targets.filter((t) => t.floor)) {
    const cell = results[target.id]?.W1;
    if (!cell) continue;
    if (cell.rates.length === 0) {
      rows.push([target.name, target.durability, '', 'n/a', '', '', '', `ERROR: ${failure(cell)}`]);
      continue;
    }
    const m = median(cell.rates);
    rows.push([
      target.name,
      target.durability,
      int(cell.units),
      int(m),
      `${int(Math.min(...cell.rates))}–${int(Math.max(...cell.rates))}`,
      us(m),
      median(cell.cpuMicros).toFixed(1),
      mb(cell.peakRss),
    ]);
  }
  return rows;
}

const PARK_HEADER = [
  'Engine',
  'Durability',
  'Parked runs',
  'RSS / parked run',
  'JS heap / parked run',
  'Time to park all',
  'Peak RSS',
  'this ÷ Runloom (RSS)',
];

function parkRows(results, targets) {
  const rows = [];
  for (const target of targets) {
    const cell = results[target.id]?.W5;
    if (!cell || target.floor) continue;
    if (!cell.park) {
      rows.push([
        target.name,
        target.durability,
        '',
        'n/a',
        '',
        '',
        '',
        cell.unsupported ? `— (${failure(cell)})` : `ERROR: ${failure(cell)}`,
      ]);
      continue;
    }
    const mine = target.versus ? results[target.versus]?.W5?.park : undefined;
    const ratio = target.versus
      ? mine && mine.rssPerRun > 0
        ? `${times(cell.park.rssPerRun / mine.rssPerRun)} (${target.versus.replace('runloom-', '')})`
        : 'n/a'
      : '';
    rows.push([
      target.name,
      target.durability,
      int(cell.park.runs),
      kb(cell.park.rssPerRun),
      kb(cell.park.heapPerRun),
      `${cell.park.seconds.toFixed(1)} s`,
      mb(cell.peakRss),
      ratio,
    ]);
  }
  return rows;
}

/** Goal 1: Runloom ≥ 10× the fastest matched peer; goal 2: durable Runloom ≥ ½ of its raw floor. */
function goalRows(results, targets, workloads) {
  const rows = [];
  const runloomIds = targets.filter((t) => t.engine === 'runloom').map((t) => t.id);
  for (const workload of workloads.filter((w) => w !== 'W5')) {
    for (const id of runloomIds) {
      const mine = rateOf(results, id, workload);
      if (mine === undefined) continue;
      const peers = targets.filter((t) => t.versus === id);
      let best;
      for (const peer of peers) {
        const rate = rateOf(results, peer.id, workload);
        if (rate !== undefined && (!best || rate > best.rate)) best = { peer, rate };
      }
      const peerCell = best ? `${best.peer.name} (${best.peer.mode}) ${int(best.rate)}` : '— (no matched peer runs it)';
      const peerRatio = best ? mine / best.rate : undefined;
      const floorId = FLOOR_OF[id];
      const floor = floorId ? rateOf(results, floorId, 'W1') : undefined;
      const floorRatio = floor ? mine / floor : undefined;
      rows.push([
        workload,
        `Runloom ${targetById.get(id).mode}`,
        int(mine),
        peerCell,
        peerRatio === undefined ? '—' : `${times(peerRatio)} ${peerRatio >= 10 ? 'MET' : 'SHORT'}`,
        floor === undefined ? '—' : int(floor),
        floorRatio === undefined ? '—' : `${floorRatio.toFixed(2)} ${floorRatio >= 0.5 ? 'MET' : 'SHORT'}`,
      ]);
    }
  }
  return rows;
}

const GOAL_HEADER = [
  'Workload',
  'Runloom row',
  'Runloom steps/s',
  'Fastest matched peer (steps/s)',
  '≥ 10× peer',
  'Raw floor rows/s',
  'Runloom ÷ floor (≥ 0.5)',
];

const NUMERIC = /^[\d,.–\-×% ]+(MB|KB|s)?$/;

function textTable(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c] ?? '').length)));
  const line = (r) =>
    r
      .map((cell, c) => (NUMERIC.test(cell) ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table padded the way Biome formats one (so the root `npm run lint` accepts RESULTS.md). */
function markdownTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map((cell) => String(cell).replaceAll('|', '\\|')));
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(all[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...all.slice(1).map(line)].join('\n');
}

export function machineInfo() {
  const cpus = os.cpus();
  const load = os.loadavg();
  return [
    `CPU: ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length} logical cores · Memory: ${Math.round(os.totalmem() / 2 ** 30)} GiB · ${os.type()} ${os.release()} (${os.arch()})`,
    `Node ${process.version} · date ${new Date().toISOString()}`,
    `Load average at the end: ${load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min)${load[0] > cpus.length * 0.5 ? ' — the machine was busy: wall-clock rates are pessimistic, CPU µs/step less so' : ''}`,
  ];
}

export function sections(results, targets, workloads) {
  const out = [];
  const rates = rateRows(results, targets, workloads);
  if (rates.length > 0) out.push({ title: 'Steps per second (W1–W4)', header: RATE_HEADER, rows: rates });
  const floors = floorRows(results, targets);
  if (floors.length > 0) out.push({ title: 'Raw floors (same run)', header: FLOOR_HEADER, rows: floors });
  const parks = parkRows(results, targets);
  if (parks.length > 0) out.push({ title: `Memory of parked runs (${LABELS.W5})`, header: PARK_HEADER, rows: parks });
  const goals = goalRows(results, targets, workloads);
  if (goals.length > 0) out.push({ title: 'Goals', header: GOAL_HEADER, rows: goals });
  return out;
}

export const renderText = (parts) => parts.map((p) => `${p.title}\n\n${textTable(p.header, p.rows)}`).join('\n\n');
export const renderMarkdown = (parts) => parts.map((p) => `## ${p.title}\n\n${markdownTable(p.header, p.rows)}`).join('\n\n');
