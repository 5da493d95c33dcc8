/** The live-policy test's workload: 30 steps of an action that costs 1 credit and takes 100 ms. */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';

export const STEPS = 30;

export const costlyAction = () =>
  defineAction({
    name: 'costly',
    input: z.object({}),
    cost: 1,
    async run() {
      await sleep(100);
      return {};
    },
  });

export const policyFlow = {
  format: 'runloom/v1',
  id: 'costly-steps',
  defaults: { limits: { maxSteps: STEPS + 10 } },
  nodes: [
    { id: 'start', type: 'start' },
    ...Array.from({ length: STEPS }, (_, i) => ({ id: `c${i}`, type: 'task', action: 'costly', input: {} })),
    { id: 'done', type: 'end' },
  ],
  edges: ['start', ...Array.from({ length: STEPS }, (_, i) => `c${i}`), 'done'].slice(1).map((to, i, all) => ({
    from: i === 0 ? 'start' : all[i - 1],
    to,
  })),
};
