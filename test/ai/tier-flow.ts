/**
 * The flow the provider tests run: an ai step that looks a customer up with a tool, then
 * answers their tier as structured output.
 */
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';

/** `crm.lookup`: every call's idempotency key goes into `effects`. */
export const lookupAction = (effects: string[]) =>
  defineAction({
    name: 'crm.lookup',
    description: 'Find a customer',
    input: z.object({ email: z.string() }),
    run: ({ email }, ctx) => {
      effects.push(ctx.idempotencyKey);
      return { email, tier: email.startsWith('ada') ? 'gold' : 'silver' };
    },
  });

export const tierFlow = (model?: string) => ({
  format: 'runloom/v1',
  id: 'tier',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'ask',
      type: 'ai',
      ...(model ? { model } : {}),
      prompt: 'Tier of {{input.email}}?',
      tools: ['crm.lookup'],
      outputSchema: { type: 'object', properties: { tier: { type: 'string' } }, required: ['tier'] },
      output: 'tier',
    },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'ask' },
    { from: 'ask', to: 'done' },
  ],
});
