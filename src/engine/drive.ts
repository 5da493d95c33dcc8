/**
 * Moves ready tokens until none can move, then settles the run's status: running while work is
 * in flight, waiting while every token waits, completed when every branch ended. There is no cap
 * on iterations: maxSteps is what bounds loops, and hitting it is a limit, not a crash.
 */
import type { CompiledNode } from '../flow/compiled.js';
import { enterActivity } from './nodes/activity.js';
import { enterDecision } from './nodes/decision.js';
import { enterGateway, fireStalledJoins } from './nodes/gateway.js';
import { enterMap, pumpMap } from './nodes/map.js';
import { enterRace } from './nodes/race.js';
import { enterEnd, enterStart } from './nodes/start-end.js';
import { enterSubflow } from './nodes/subflow.js';
import { enterTimer } from './nodes/timer.js';
import { enterWait } from './nodes/wait.js';
import { failRun } from './outcome.js';
import { startDueRetries } from './retry.js';
import type { Token } from './types.js';
import { errorOf, findToken, isActive, log, scopeFor, setStatus, type Work } from './work.js';

function assertNever(value: never): never {
  throw new Error(`unhandled node type ${JSON.stringify(value)}`);
}

/** Node kinds that occupy a maxParallel slot while they work. */
function takesSlot(node: CompiledNode): boolean {
  return node.type === 'task' || node.type === 'ai' || node.type === 'ux' || node.type === 'subflow' || node.type === 'map';
}

function enter(w: Work, token: Token, node: CompiledNode): void {
  switch (node.type) {
    case 'start':
      enterStart(w, token, node);
      return;
    case 'end':
      enterEnd(w, token, node);
      return;
    case 'task':
    case 'ai':
    case 'ux':
      enterActivity(w, token, node);
      return;
    case 'decision':
      enterDecision(w, token, node);
      return;
    case 'parallel':
    case 'inclusive':
      enterGateway(w, token, node);
      return;
    case 'race':
      enterRace(w, token, node);
      return;
    case 'map':
      enterMap(w, token, node);
      return;
    case 'wait':
      enterWait(w, token, node);
      return;
    case 'timer':
      enterTimer(w, token, node);
      return;
    case 'subflow':
      enterSubflow(w, token, node);
      return;
    default:
      assertNever(node);
  }
}

export function drive(w: Work): void {
  for (;;) {
    if (!isActive(w.s)) return;
    let progressed = startDueRetries(w);
    for (const id of w.tokens.movableIds(w.s.tokens)) {
      if (!isActive(w.s)) return;
      const token = findToken(w, id);
      if (!token) continue;
      const node = w.flow.nodes[token.node];
      if (takesSlot(node) && w.counts.inflight >= w.s.limits.maxParallel) continue;
      if (token.status === 'running') {
        if (node.type === 'map' && pumpMap(w, token, node)) progressed = true;
        continue;
      }
      if (token.status !== 'ready') continue;
      enter(w, token, node);
      progressed = true;
    }
    if (!progressed && !fireStalledJoins(w)) break;
  }
  settle(w);
}

function settle(w: Work): void {
  const s = w.s;
  if (!isActive(s)) return;
  let waiting: Token | undefined;
  let failed: Token | undefined;
  for (const token of s.tokens) {
    if (token.status === 'ready' || token.status === 'running') {
      if (s.status !== 'running') setStatus(w, 'running', 'resumed');
      return;
    }
    if (token.status === 'waiting') waiting ??= token;
    else failed ??= token;
  }
  if (waiting) {
    const reason = `waiting_for_${waiting.waitingFor ?? 'signal'}` as const;
    if (s.status !== 'waiting' || s.reason !== reason) {
      setStatus(w, 'waiting', reason);
      log(w, 'run.waiting', undefined, { reason });
    }
    return;
  }
  if (Object.keys(s.joins).length > 0) {
    const ids = Object.keys(s.joins).map((key) => w.flow.nodes[Number(key)].id);
    failRun(
      w,
      'deadlock',
      errorOf(
        'JOIN_NEVER_FIRES',
        `join${ids.length > 1 ? 's' : ''} ${ids.map((id) => `'${id}'`).join(', ')} can never fire: a branch they wait for cannot arrive`,
      ),
    );
    return;
  }
  if (failed && s.ended === 0) {
    failRun(w, 'branch_failed', failed.error ?? errorOf('BRANCH_FAILED', 'every branch failed'));
    return;
  }
  completeRun(w);
}

function completeRun(w: Work): void {
  const s = w.s;
  // A copy: the run's vars object is its own, and the output is handed out.
  let output: unknown = { ...s.vars };
  if (w.flow.output) {
    try {
      output = w.flow.output.evaluate(scopeFor(w));
    } catch (error) {
      failRun(w, 'error', errorOf('OUTPUT_INVALID', `run output: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
  }
  const problems = w.flow.checkOutput?.(output);
  if (problems) {
    failRun(w, 'error', errorOf('OUTPUT_INVALID', `run output does not match the flow's outputs schema: ${problems.join('; ')}`));
    return;
  }
  setStatus(w, 'completed', 'completed');
  s.output = output;
  log(w, 'run.completed', undefined, { output });
  w.effects.push({ type: 'run.finished', status: 'completed', output });
}
