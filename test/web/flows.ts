/** Flows the browser tests publish: each shows one thing a person does in the UI. */
export const GREET_FLOW = {
  format: 'runloom/v1',
  id: 'greet',
  name: 'Greet someone',
  inputs: {
    type: 'object',
    properties: { name: { type: 'string', description: 'who to greet' }, times: { type: 'integer' } },
    required: ['name'],
  },
  output: '={ "greeting": vars.hello.greeting }',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'hello', type: 'task', action: 'set', input: { greeting: "='Hello ' & input.name" }, output: 'hello' },
    { id: 'pause', type: 'task', name: 'Take a breath', action: 'delay', input: { ms: 700 } },
    { id: 'big', type: 'decision', mode: 'auto' },
    { id: 'shout', type: 'task', action: 'set', input: { loud: true }, output: 'shout' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'hello' },
    { from: 'hello', to: 'pause' },
    { from: 'pause', to: 'big' },
    { from: 'big', to: 'shout', when: 'input.times > 2' },
    { from: 'big', to: 'done', default: true },
    { from: 'shout', to: 'done' },
  ],
};

export const REVIEW_FLOW = {
  format: 'runloom/v1',
  id: 'review',
  name: 'Review a refund',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'prepare', type: 'task', action: 'set', input: { amount: 42 }, output: 'claim' },
    {
      id: 'check',
      type: 'wait',
      name: 'Check the claim',
      schema: {
        type: 'object',
        properties: { approved: { type: 'boolean' }, note: { type: 'string' } },
        required: ['approved'],
      },
      output: 'check',
    },
    { id: 'route', type: 'decision', mode: 'manual', name: 'How to pay', prompt: 'Refund or voucher?' },
    { id: 'refund', type: 'task', action: 'set', input: { paid: 'refund' }, output: 'result' },
    { id: 'voucher', type: 'task', action: 'set', input: { paid: 'voucher' }, output: 'result' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'prepare' },
    { from: 'prepare', to: 'check' },
    { from: 'check', to: 'route' },
    { from: 'route', to: 'refund' },
    { from: 'route', to: 'voucher' },
    { from: 'refund', to: 'done' },
    { from: 'voucher', to: 'done' },
  ],
};

export const CHARGE_FLOW = {
  format: 'runloom/v1',
  id: 'charge',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'prepare', type: 'task', action: 'set', input: { amount: 10 }, output: 'order' },
    { id: 'charge', type: 'task', action: 'set', input: { paid: "=$error('card declined')" }, output: 'payment' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'prepare' },
    { from: 'prepare', to: 'charge' },
    { from: 'charge', to: 'done' },
  ],
};

/** A gate (human input), then `rounds` passes of a loop of five quick tasks and a decision. */
export function loopFlow(id: string, rounds: number) {
  const tasks = ['a', 'b', 'c', 'd', 'e'];
  return {
    format: 'runloom/v1',
    id,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'gate', type: 'wait', output: 'gate' },
      ...tasks.map((t, i) => ({
        id: t,
        type: 'task',
        action: 'set',
        input: i === 0 ? { n: '=vars.a.n ? vars.a.n + 1 : 1' } : { n: `=vars.a.n` },
        output: t,
      })),
      { id: 'again', type: 'decision', mode: 'auto' },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'gate' },
      { from: 'gate', to: 'a' },
      ...tasks.slice(1).map((t, i) => ({ from: tasks[i], to: t })),
      { from: 'e', to: 'again' },
      { from: 'again', to: 'a', when: `vars.a.n < ${rounds}` },
      { from: 'again', to: 'done', default: true },
    ],
  };
}
