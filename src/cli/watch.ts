/** Follows a run until it settles: finished, paused, or waiting for a person or another system. */
import type { RunView } from '../api/runs.js';
import { isLive } from '../bus/bus.js';
import { type Display, eventLines, lineDisplay, liveDisplay, ndjsonDisplay } from './display.js';
import { stdoutClosed } from './output.js';
import { printable } from './printable.js';
import type { RunsClient } from './runs-client.js';

export const EXIT = { completed: 0, failed: 1, badInput: 2, waiting: 3 } as const;

export function exitCodeOf(view: RunView): number {
  if (view.status === 'completed') return EXIT.completed;
  if (view.status === 'failed' || view.status === 'cancelled') return EXIT.failed;
  return EXIT.waiting;
}

export function pickDisplay(json: boolean | undefined, runId: string): Display {
  if (json) return ndjsonDisplay(process.stdout, runId);
  return process.stdout.isTTY ? liveDisplay(process.stdout) : lineDisplay(process.stdout, runId);
}

/** Shows a run's events from `after` on until it settles; the exit code of where it settled. */
export async function watchRun(runs: RunsClient, runId: string, json: boolean | undefined, after = 0): Promise<number> {
  const display = pickDisplay(json, runId);
  const stop = new AbortController();
  const settled = runs.settled(runId).then((view) => {
    stop.abort();
    return view;
  });
  for await (const event of runs.follow(runId, after, stop.signal)) {
    if (isLive(event)) display.live(event);
    else display.event(event, process.stdout.isTTY && !json ? await runs.get(runId) : undefined);
  }
  const view = await settled;
  display.end(view);
  if (!json) printSummary(view);
  return exitCodeOf(view);
}

const ENDED = new Set(['run.completed', 'run.failed', 'run.cancelled']);

/**
 * `runs tail --follow`: the run's events from `after` on, with the text AI steps write as they
 * write it, until the run ends (a pause or a wait does not end it) or the reader goes away.
 */
export async function tailRun(runs: RunsClient, runId: string, json: boolean | undefined, after: number): Promise<number> {
  const display = json ? ndjsonDisplay(process.stdout, runId) : eventLines(process.stdout);
  const stop = new AbortController();
  try {
    for await (const event of runs.follow(runId, after, stop.signal)) {
      if (isLive(event)) display.live(event);
      else display.event(event);
      if (stdoutClosed() || (!isLive(event) && ENDED.has(event.type))) break;
    }
  } finally {
    stop.abort();
  }
  return 0;
}

/** `completed`, or `failed (max_steps)`: the reason only when it says more than the status. */
export const statusText = (view: Pick<RunView, 'status' | 'reason'>): string =>
  view.reason === view.status ? view.status : `${view.status} (${view.reason})`;

export function printSummary(view: RunView): void {
  const out = process.stdout;
  const id = printable(view.id);
  out.write(
    `\nrun ${id}: ${statusText(view)} · ${view.usage.steps} steps · ${view.usage.credits} credits · ${Math.round(view.usage.activeMs)} ms active\n`,
  );
  if (view.status === 'completed') {
    const lines = (JSON.stringify(view.output, null, 2) ?? 'none').split('\n');
    out.write(`output: ${lines.map(printable).join('\n')}\n`);
  }
  if (view.error) out.write(`error: [${printable(view.error.code)}] ${printable(view.error.message)}\n`);
  for (const wait of view.waitingOn) {
    // A conversation's last reply, line by line (each escaped apart, as text from outside is).
    if (wait.said !== undefined) out.write(`${printable(wait.nodeId)}: ${wait.said.split('\n').map(printable).join('\n  ')}\n`);
    out.write(`${printable(waitLine(view.id, wait))}\n`);
  }
  if (view.status === 'paused') out.write(`paused: runloom runs resume ${id}\n`);
}

/** What the run waits for at a node, and the command that answers it when someone must. */
function waitLine(runId: string, wait: RunView['waitingOn'][number]): string {
  switch (wait.waitingFor) {
    case 'decision':
      return `waiting for a decision at '${wait.nodeId}': runloom runs decide ${runId} ${wait.nodeId} <${(wait.options ?? []).join('|')}>`;
    case 'timer':
      return `waiting for a timer at '${wait.nodeId}': it continues by itself when the timer fires`;
    case 'retry':
      return `waiting to retry '${wait.nodeId}': it continues by itself after the backoff`;
    case 'child':
      return `waiting for the subflow run at '${wait.nodeId}' to finish`;
    case 'message':
      return `waiting for your message at '${wait.nodeId}': runloom runs say ${runId} ${wait.nodeId} "…" (--end ends the conversation)`;
    default:
      return wait.signal
        ? `waiting for signal '${wait.signal}': runloom runs signal ${runId} ${wait.signal} --data '{...}'`
        : `waiting for a callback at '${wait.nodeId}': runloom runs callback ${runId} ${wait.nodeId} --data '{...}'`;
  }
}

/** A run's usage against its limits; a limit nobody set reads `unlimited`. */
export function limitsLine(view: RunView): string {
  const of = (limit: number | undefined) => (limit === undefined ? 'unlimited' : String(limit));
  const { usage, limits } = view;
  return `limits: ${usage.steps} of ${of(limits.maxSteps)} steps · ${Math.round(usage.activeMs)} of ${of(limits.maxTime)} ms active · ${usage.credits} of ${of(limits.maxCredits)} credits · ${of(limits.maxParallel)} in parallel`;
}
