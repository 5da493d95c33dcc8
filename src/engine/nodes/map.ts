/**
 * Map: runs its body once per item, at most `concurrency` at a time (and within the run's
 * maxParallel), and keeps results in item order whatever order they finish in.
 */
import type { MapNode } from '../../flow/compiled.js';
import { limitCrossed, reachLimit } from '../limits.js';
import { completeStep, expressionFailure, failStep } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { MapProgress, Token } from '../types.js';
import { isActive, log, putToken, scopeFor, type Work } from '../work.js';
import { executeActivity } from './activity.js';
import { armBoundaryTimers, beginStep } from './common.js';
import { startChild } from './subflow.js';

export function enterMap(w: Work, token: Token, node: MapNode): void {
  let items: unknown;
  try {
    items = node.items.evaluate(scopeFor(w));
  } catch (error) {
    failStep(w, token, expressionFailure(error));
    return;
  }
  const counted = beginStep(w, token);
  if (!counted) return;
  // JSONata's sequence rule: nothing is an empty list, and a single value is a list of one (a
  // filter or path with exactly one match gives the match itself, not a one-item array — failing
  // then would break a map only on the day one item happens to match).
  const list: readonly unknown[] = items === undefined || items === null ? [] : Array.isArray(items) ? items : [items];
  if (list.length === 0) {
    log(w, 'step.started', counted, { items: 0 });
    completeStep(w, counted, []);
    return;
  }
  const map: MapProgress = { items: list, results: new Array(list.length).fill(null), next: 0, done: 0, active: 0, attempts: {} };
  const running = armBoundaryTimers(w, tokenWith(counted, { status: 'running', map }), node);
  putToken(w, running);
  log(w, 'step.started', running, { items: list.length });
  pumpMap(w, running, node);
}

/** Dispatches items while there is room; true when at least one started. */
export function pumpMap(w: Work, token: Token, node: MapNode): boolean {
  let map = token.map as MapProgress;
  let started = false;
  while (
    map.next < map.items.length &&
    map.active < node.concurrency &&
    w.counts.inflight < w.s.limits.maxParallel &&
    isActive(w.s)
  ) {
    const index = map.next;
    const item = map.items[index];
    const body = node.body;
    let input: unknown;
    try {
      input = body.input.evaluate(scopeFor(w, item, index));
    } catch (error) {
      failStep(w, token, expressionFailure(error));
      return true;
    }
    if (body.type === 'subflow') {
      startChild(w, token, body, input, index);
    } else {
      const estimate = body.estimateCost(input);
      // Items are not steps (the map counted once when entered): a map that was the last step
      // maxSteps allowed must still run its items, so only time and credits are checked here.
      const crossed = limitCrossed(w, estimate, false);
      if (crossed) {
        // Save the progress first: on `fail`, failRun resets this token (cancelling its items);
        // writing the stale progress back afterwards left it "running" items that no longer run.
        if (started) putToken(w, tokenWith(token, { map }));
        reachLimit(w, crossed);
        return started;
      }
      executeActivity(w, token, token.visit, body, node.id, 1, input, estimate, index);
    }
    map = { ...map, next: index + 1, active: map.active + 1, attempts: { ...map.attempts, [index]: 1 } };
    started = true;
  }
  if (started) putToken(w, tokenWith(token, { map }));
  return started;
}

export function completeMapItem(w: Work, token: Token, node: MapNode, index: number, output: unknown): void {
  const map = token.map as MapProgress;
  const results = map.results.slice();
  results[index] = output;
  const attempts = { ...map.attempts };
  delete attempts[index];
  const next: MapProgress = { ...map, results, done: map.done + 1, active: map.active - 1, attempts };
  if (next.done === map.items.length) {
    completeStep(w, tokenWith(token, { map: undefined }), results);
    return;
  }
  const updated = tokenWith(token, { map: next });
  putToken(w, updated);
  pumpMap(w, updated, node);
}

/** Bumps an item's attempt for a retry. */
export function retryMapItem(w: Work, token: Token, index: number): number {
  const map = token.map as MapProgress;
  const attempt = (map.attempts[index] ?? 1) + 1;
  putToken(w, tokenWith(token, { map: { ...map, attempts: { ...map.attempts, [index]: attempt } } }));
  return attempt;
}
