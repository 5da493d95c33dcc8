/**
 * How a run is shown while it goes: a live block of one line per active branch on a terminal,
 * one line per event otherwise, NDJSON with --json.
 */
import type { RunView } from '../api/runs.js';
import type { RunEvent } from '../engine/types.js';
import { printable } from './printable.js';

export interface Display {
  event(event: RunEvent, view?: RunView): void;
  end(view: RunView): void;
}

const short = (value: unknown, max = 80): string => {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/** One line per event; ids and data are escaped (control characters cannot reach the terminal). */
export function eventLine(event: RunEvent): string {
  const data = event.data as Record<string, unknown> | undefined;
  const detail =
    event.type === 'step.completed'
      ? short(data?.output)
      : event.type.endsWith('failed')
        ? short(data?.error)
        : data
          ? short(data, 60)
          : '';
  return printable(
    `#${event.seq} ${event.type}${event.nodeId ? ` ${event.nodeId}` : ''}${event.token !== undefined ? ` [t${event.token}]` : ''}${detail ? `  ${detail}` : ''}`,
  );
}

/** Each line carries the run's id, so a reader that keeps only the first line has it. */
export const ndjsonEvent = (runId: string, event: RunEvent): string => `${JSON.stringify({ runId, ...event })}\n`;

export function ndjsonDisplay(out: NodeJS.WritableStream, runId: string): Display {
  return {
    event: (event) => out.write(ndjsonEvent(runId, event)),
    end: (view) => out.write(`${JSON.stringify({ type: 'run.summary', runId, run: view })}\n`),
  };
}

/** The first line names the run, so `runloom run f.yaml | head -1` gives its id. */
export function lineDisplay(out: NodeJS.WritableStream, runId: string): Display {
  out.write(`run ${printable(runId)}\n`);
  return {
    event: (event) => out.write(`${eventLine(event)}\n`),
    end: () => {},
  };
}

const ICON: Record<string, string> = { running: '▶', ready: '·', waiting: '⏸', failed: '✗' };

/** Redraws a block of lines in place: header + a line per active branch. */
export function liveDisplay(out: NodeJS.WriteStream): Display {
  let drawn = 0;
  let last = 0;
  // Redraws are at most every 80 ms; the latest view skipped in a burst is drawn when the window
  // ends, so a run that then sits on a timer or a slow step shows where it really is.
  let trailing: NodeJS.Timeout | undefined;
  let skipped: RunView | undefined;
  const draw = (view: RunView, force: boolean) => {
    const now = Date.now();
    if (!force && now - last < 80) {
      skipped = view;
      trailing ??= setTimeout(
        () => {
          trailing = undefined;
          if (skipped) draw(skipped, true);
        },
        80 - (now - last),
      ).unref();
      return;
    }
    if (trailing) clearTimeout(trailing);
    trailing = undefined;
    skipped = undefined;
    last = now;
    const lines = [
      printable(
        `run ${view.id} · ${view.flowId}@${view.flowVersion} · ${view.status} · ${view.progress.percent}% · ${view.usage.steps} steps`,
      ),
      ...view.progress.branches.map((b) => {
        const map = b.mapTotal !== undefined ? ` (${b.mapDone}/${b.mapTotal} items)` : '';
        const retry = b.attempt > 1 ? ` attempt ${b.attempt}` : '';
        const why = b.waitingFor ? ` for ${b.waitingFor}` : '';
        return printable(`  ${ICON[b.status] ?? '·'} branch ${b.branch.padEnd(8)} ${b.nodeId}  ${b.status}${why}${retry}${map}`);
      }),
    ];
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const line of lines) text += `\x1b[2K${line.slice(0, (out.columns || 120) - 1)}\n`;
    for (let i = lines.length; i < drawn; i++) text += '\x1b[2K\n';
    if (drawn > lines.length) text += `\x1b[${drawn - lines.length}A`;
    out.write(text);
    drawn = lines.length;
  };
  return {
    event: (_event, view) => {
      if (view) draw(view, false);
    },
    end: (view) => draw(view, true),
  };
}
