/**
 * How a run is shown while it goes: a live block of one line per active branch on a terminal,
 * one line per event otherwise, NDJSON with --json. A model's text is shown as it is written
 * (live events): under its branch on a terminal, on a line of its own otherwise.
 */
import type { RunView } from '../api/runs.js';
import type { LiveEvent } from '../bus/bus.js';
import type { RunEvent } from '../engine/types.js';
import { printable } from './printable.js';

export interface Display {
  event(event: RunEvent, view?: RunView): void;
  live(event: LiveEvent): void;
  end(view: RunView): void;
}

/** Which step a piece of text belongs to. */
const stepOf = (event: LiveEvent) => `${event.nodeId}${event.item === undefined ? '' : `[${event.item}]`}`;

/** A model's text, escaped line by line (its newlines are kept, its control characters are not). */
const textLines = (text: string, indent: string) => text.split('\n').map(printable).join(`\n${indent}`);

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
    live: (event) => out.write(`${JSON.stringify({ runId, ...event })}\n`),
    end: (view) => out.write(`${JSON.stringify({ type: 'run.summary', runId, run: view })}\n`),
  };
}

/** The first line names the run, so `runloom run f.yaml | head -1` gives its id. */
export function lineDisplay(out: NodeJS.WritableStream, runId: string): Display {
  out.write(`run ${printable(runId)}\n`);
  return eventLines(out);
}

/** One line per event; a model's text on a line of its own as it is written. */
export function eventLines(out: NodeJS.WritableStream): Display {
  // The step whose text is being written on the current line; an event line ends it.
  let writing: string | undefined;
  return {
    event: (event) => {
      if (writing !== undefined) out.write('\n');
      writing = undefined;
      out.write(`${eventLine(event)}\n`);
    },
    live: (event) => {
      const step = stepOf(event);
      if (writing !== step) out.write(`${writing === undefined ? '' : '\n'}  ${printable(step)} ▸ `);
      writing = step;
      out.write(textLines(event.text, '    '));
    },
    end: () => {
      if (writing !== undefined) out.write('\n');
    },
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
  let shown: RunView | undefined;
  // The end of each writing step's text, shown under its branch until the step's next event.
  const writing = new Map<string, string>();
  const width = () => (out.columns || 120) - 1;
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
    shown = view;
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
      ...[...writing].map(([step, text]) => printable(`    ${step} ▸ ${text.replace(/\s+/g, ' ')}`)),
    ];
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const line of lines) text += `\x1b[2K${line.slice(0, width())}\n`;
    for (let i = lines.length; i < drawn; i++) text += '\x1b[2K\n';
    if (drawn > lines.length) text += `\x1b[${drawn - lines.length}A`;
    out.write(text);
    drawn = lines.length;
  };
  return {
    event: (event, view) => {
      const node = event.nodeId;
      if (node !== undefined)
        for (const step of writing.keys()) if (step === node || step.startsWith(`${node}[`)) writing.delete(step);
      if (view) draw(view, false);
    },
    live: (event) => {
      const step = stepOf(event);
      // The tail that fits on the line: the newest text, as it comes.
      writing.set(step, ((writing.get(step) ?? '') + event.text).slice(-width()));
      const latest = skipped ?? shown;
      if (latest) draw(latest, false);
    },
    end: (view) => {
      writing.clear();
      draw(view, true);
    },
  };
}
