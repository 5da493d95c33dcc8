/** `runloom runs list` as a table: a header, a row per run, or a line saying there is none. */
import type { RunSummary } from '../store/store.js';
import { printable } from './printable.js';

const HEADER = ['RUN', 'FLOW', 'STATUS', 'REASON', 'UPDATED'] as const;

export function printRunList(list: readonly RunSummary[]): void {
  if (list.length === 0) {
    process.stdout.write('no runs\n');
    return;
  }
  const rows = list.map((run) =>
    [run.id, `${run.flowId}@${run.flowVersion}`, run.status, run.reason, new Date(run.updatedAt).toISOString()].map(printable),
  );
  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    `${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')}\n`;
  process.stdout.write(line(HEADER));
  for (const row of rows) process.stdout.write(line(row));
}
