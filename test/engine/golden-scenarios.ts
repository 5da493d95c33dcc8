/**
 * The runs recorded as golden histories in test/histories/. Each scenario is a flow and a script
 * that drives it with the test driver; `golden-record.ts` runs them and writes the logs.
 * Flows here use no action-level settings (cost, retry, timeout live on the nodes) so that the
 * stored flow definition compiles to the same CompiledFlow without the action catalog.
 */
import { failure, flow, HOLD, type RunDriver, startRun } from './driver.js';

export interface GoldenScenario {
  readonly name: string;
  readonly description: string;
  readonly flow: Record<string, unknown>;
  readonly input: unknown;
  run(driver: RunDriver): void;
  readonly actions: Parameters<typeof flow>[1];
}

export const SCENARIOS: readonly GoldenScenario[] = [
  {
    name: 'fork-join',
    description: 'A parallel fork of three branches, completed out of order, joined by a true AND-join.',
    input: { order: 'A-17' },
    flow: {
      format: 'runloom/v1',
      id: 'fork-join',
      output: { order: '=input.order', parts: '=vars.parts' },
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'fork', type: 'parallel' },
        { id: 'stock', type: 'task', action: 'check', input: { what: 'stock', order: '=input.order' }, output: 'stock' },
        { id: 'credit', type: 'task', action: 'check', input: { what: 'credit', order: '=input.order' }, output: 'credit' },
        { id: 'fraud', type: 'task', action: 'check', input: { what: 'fraud', order: '=input.order' }, output: 'fraud' },
        { id: 'join', type: 'parallel' },
        {
          id: 'merge',
          type: 'task',
          action: 'merge',
          input: { parts: ['=vars.stock', '=vars.credit', '=vars.fraud'] },
          output: 'parts',
        },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'fork' },
        { from: 'fork', to: 'stock' },
        { from: 'fork', to: 'credit' },
        { from: 'fork', to: 'fraud' },
        { from: 'stock', to: 'join' },
        { from: 'credit', to: 'join' },
        { from: 'fraud', to: 'join' },
        { from: 'join', to: 'merge' },
        { from: 'merge', to: 'done' },
      ],
    },
    actions: { check: () => HOLD, merge: ({ parts }) => parts.join('+') },
    run(d) {
      d.tick(1000);
      d.complete('fraud', 'fraud:ok');
      d.tick(500);
      d.complete('stock', 'stock:ok');
      d.tick(2000);
      d.complete('credit', 'credit:ok');
    },
  },
  {
    name: 'wait-signal',
    description:
      'A signal buffered before its wait, a schema-checked approval, and a wait that times out along its timeout edge.',
    input: { amount: 250 },
    flow: {
      format: 'runloom/v1',
      id: 'wait-signal',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'prepare', type: 'task', action: 'prepare', output: 'draft' },
        { id: 'kickoff', type: 'wait', signal: 'kickoff', output: 'kickoff' },
        {
          id: 'approval',
          type: 'wait',
          signal: 'approval',
          schema: {
            type: 'object',
            properties: { approved: { type: 'boolean' }, by: { type: 'string' } },
            required: ['approved'],
          },
          output: 'approval',
        },
        { id: 'confirm', type: 'wait', signal: 'confirm', timeout: '1h' },
        { id: 'route', type: 'decision' },
        {
          id: 'ship',
          type: 'task',
          action: 'ship',
          input: { amount: '=input.amount', by: '=vars.approval.by' },
          output: 'shipped',
        },
        { id: 'refuse', type: 'end' },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'prepare' },
        { from: 'prepare', to: 'kickoff' },
        { from: 'kickoff', to: 'approval' },
        { from: 'approval', to: 'confirm' },
        { from: 'confirm', to: 'route' },
        { from: 'confirm', to: 'route', timeout: true },
        { from: 'route', to: 'ship', when: 'vars.approval.approved' },
        { from: 'route', to: 'refuse', default: true },
        { from: 'ship', to: 'done' },
      ],
    },
    actions: { prepare: () => HOLD, ship: ({ amount, by }) => ({ amount, by }) },
    run(d) {
      d.signal('kickoff', { early: true }); // buffered: nobody waits yet
      d.tick(1000);
      d.complete('prepare', { lines: 3 });
      d.tick(60_000);
      try {
        d.signal('approval', { approved: 'yes' }); // refused by the schema: not in the log
      } catch {}
      d.signal('approval', { approved: true, by: 'ada' });
      d.tick(3_600_000); // confirm times out
    },
  },
  {
    name: 'retry',
    description:
      'A flaky step retried with exponential backoff until it succeeds, then a non-retryable error caught by an error boundary.',
    input: {},
    flow: {
      format: 'runloom/v1',
      id: 'retry',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'fetch',
          type: 'task',
          action: 'fetch',
          output: 'page',
          retry: { maxAttempts: 4, backoff: 'exponential', initialDelay: '1s', maxDelay: '3s', factor: 2 },
        },
        {
          id: 'charge',
          type: 'task',
          action: 'charge',
          retry: { maxAttempts: 3 },
          boundary: [{ on: 'error', code: 'CARD_DECLINED', to: 'askCard' }],
        },
        { id: 'askCard', type: 'task', action: 'ask', output: 'asked' },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'fetch' },
        { from: 'fetch', to: 'charge' },
        { from: 'charge', to: 'done' },
        { from: 'askCard', to: 'done' },
      ],
    },
    actions: { fetch: () => HOLD, charge: () => HOLD, ask: () => 'asked' },
    run(d) {
      d.tick(200);
      d.fail('fetch', failure('HTTP_503'));
      d.tick(1000);
      d.fail('fetch', failure('HTTP_503'));
      d.tick(2000);
      d.fail('fetch', failure('HTTP_503'));
      d.tick(3000);
      d.complete('fetch', { status: 200 });
      d.tick(100);
      d.fail('charge', failure('CARD_DECLINED', false));
    },
  },
  {
    name: 'map',
    description: 'A map over five items with concurrency 2, items finishing out of order and one item retried.',
    input: { emails: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'] },
    flow: {
      format: 'runloom/v1',
      id: 'map',
      output: { sent: '=vars.sent', count: '=$count(vars.sent)' },
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'each',
          type: 'map',
          items: '=input.emails',
          concurrency: 2,
          do: {
            type: 'task',
            action: 'send',
            input: { to: '=item', n: '=index' },
            retry: { maxAttempts: 2, initialDelay: '5s' },
          },
          output: 'sent',
        },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each', to: 'done' },
      ],
    },
    actions: { send: () => HOLD },
    run(d) {
      const item = (n: number) => [...d.steps.values()].find((s) => s.item === n)!.seq;
      d.tick(100);
      d.complete(item(1), 'sent:b');
      d.tick(100);
      d.fail(item(0), failure('SMTP_BUSY'));
      d.tick(100);
      d.complete(item(2), 'sent:c');
      d.tick(5000); // item 0's retry
      d.complete(item(3), 'sent:d');
      d.complete(item(0), 'sent:a');
      d.tick(100);
      d.complete(item(4), 'sent:e');
    },
  },
];

/** Runs a scenario with the driver; `at` is a fixed epoch so the files never change by themselves. */
export function playScenario(scenario: GoldenScenario): RunDriver {
  const driver = startRun(flow(scenario.flow, scenario.actions), {
    runId: `golden-${scenario.name}`,
    at: Date.parse('2025-01-01T00:00:00Z'),
    input: scenario.input,
  });
  scenario.run(driver);
  return driver;
}
