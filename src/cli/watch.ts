/** Follows a run until it settles: finished, paused, or waiting for a person or another system. */
import type { RunView } from '../api/runs.js';
import { type RunState, TERMINAL_STATUSES } from '../engine/types.js';
import { type Display, lineDisplay, liveDisplay, ndjsonDisplay } from './display.js';
import type { RunsClient } from './runs-client.js';

export const EXIT = { completed: 0, failed: 1, badInput: 2, waiting: 3 } as const;

/** Waiting on a timer, a retry or a child run resolves by itself; anything else needs someone. */
export function isSettled(state: Pick<RunState, 'status' | 'tokens'>): boolean {
  if (TERMINAL_STATUSES.has(state.status) || state.status === 'paused') return true;
  if (state.status !== 'waiting') return false;
  return state.tokens.every(
    (t) => t.status !== 'waiting' || t.waitingFor === 'signal' || t.waitingFor === 'callback' || t.waitingFor === 'decision',
  );
}

export function exitCodeOf(view: RunView): number {
  if (view.status === 'completed') return EXIT.completed;
  if (view.status === 'failed' || view.status === 'cancelled') return EXIT.failed;
  return EXIT.waiting;
}

export function pickDisplay(json: boolean | undefined): Display {
  if (json) return ndjsonDisplay(process.stdout);
  return process.stdout.isTTY ? liveDisplay(process.stdout) : lineDisplay(process.stdout);
}

/** Shows a run's events from `after` on until it settles; the exit code of where it settled. */
export async function watchRun(runs: RunsClient, runId: string, json: boolean | undefined, after = 0): Promise<number> {
  const display = pickDisplay(json);
  const stop = new AbortController();
  const settled = runs.settled(runId).then((view) => {
    stop.abort();
    return view;
  });
  for await (const event of runs.follow(runId, after, stop.signal)) {
    display.event(event, process.stdout.isTTY && !json ? await runs.get(runId) : undefined);
  }
  const view = await settled;
  display.end(view);
  if (!json) printSummary(view);
  return exitCodeOf(view);
}

export function printSummary(view: RunView): void {
  const out = process.stdout;
  out.write(
    `\nrun ${view.id}: ${view.status} (${view.reason}) · ${view.usage.steps} steps · ${view.usage.credits} credits · ${Math.round(view.usage.activeMs)} ms active\n`,
  );
  if (view.status === 'completed') out.write(`output: ${JSON.stringify(view.output, null, 2)}\n`);
  if (view.error) out.write(`error: [${view.error.code}] ${view.error.message}\n`);
  for (const wait of view.waitingOn) {
    if (wait.waitingFor === 'decision') {
      out.write(
        `waiting for a decision at '${wait.nodeId}': runloom runs decide ${view.id} ${wait.nodeId} <${(wait.options ?? []).join('|')}>\n`,
      );
    } else if (wait.signal) {
      out.write(`waiting for signal '${wait.signal}': runloom runs signal ${view.id} ${wait.signal} --data '{...}'\n`);
    } else {
      out.write(`waiting for a callback at '${wait.nodeId}': runloom runs callback ${view.id} ${wait.nodeId} --data '{...}'\n`);
    }
  }
  if (view.status === 'paused') out.write(`paused: runloom runs resume ${view.id}\n`);
}
