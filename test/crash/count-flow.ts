/** The crash test's workload, shared by the child process (worker.ts) and the test that checks it. */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';

export const FLOW_ID = 'count-200';
export const STEPS = 200;
export const RUNS = 20;

export const nodeId = (index: number) => `s${index}`;

/** 200 sequential task nodes; step i stores `{ n: i }` at `vars.s<i>`. */
export function countFlow(steps = STEPS): Record<string, unknown> {
  const nodes: Record<string, unknown>[] = [{ id: 'start', type: 'start' }];
  const edges: Record<string, unknown>[] = [];
  let previous = 'start';
  for (let i = 0; i < steps; i++) {
    const id = nodeId(i);
    nodes.push({ id, type: 'task', action: 'count.step', input: { i }, output: id });
    edges.push({ from: previous, to: id });
    previous = id;
  }
  nodes.push({ id: 'done', type: 'end' });
  edges.push({ from: previous, to: 'done' });
  return { format: 'runloom/v1', id: FLOW_ID, defaults: { limits: { maxSteps: steps + 10 } }, nodes, edges };
}

/**
 * Appends `runId nodeId attempt idempotencyKey` to the log BEFORE returning, then lingers
 * `lingerMs`: a kill in that window leaves an execution the store never heard of, which
 * recovery must run again (at-least-once) without recording it twice.
 */
export function countAction(logPath: string, lingerMs: number) {
  return defineAction({
    name: 'count.step',
    input: z.object({ i: z.number().int() }),
    async run({ i }, ctx) {
      appendFileSync(logPath, `${ctx.runId} ${ctx.nodeId} ${ctx.attempt} ${ctx.idempotencyKey}\n`);
      if (lingerMs > 0) await sleep(lingerMs);
      return { n: i };
    },
  });
}

export interface Execution {
  readonly runId: string;
  readonly nodeId: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
}

export function parseLog(text: string): Execution[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [runId, node, attempt, idempotencyKey, ...rest] = line.split(' ');
      if (rest.length > 0 || idempotencyKey === undefined) throw new Error(`malformed log line: ${JSON.stringify(line)}`);
      return { runId, nodeId: node, attempt: Number(attempt), idempotencyKey };
    });
}
