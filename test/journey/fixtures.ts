/** A small sales journey and the system flows behind it, shared by the journey tests. */
import type { Runloom } from '../../src/runloom.js';

/** lead → qualified → (won | lost); `nurture` is a manual step (no mapping). */
export const SALES_JOURNEY = {
  format: 'runloom/v1',
  id: 'sales',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'lead', type: 'ux' },
    { id: 'qualified', type: 'ux' },
    { id: 'won', type: 'ux' },
    { id: 'nurture', type: 'ux' },
  ],
  edges: [
    { from: 'start', to: 'lead' },
    { from: 'lead', to: 'qualified', kind: 'journey' },
    { from: 'qualified', to: 'won', kind: 'journey', when: 'run.output.score >= 50' },
    { from: 'qualified', to: 'nurture', kind: 'journey', default: true },
  ],
};

/** lead (mapped, with a welcome email and an audit as side effects) → onboarded (manual, audited); shown in README "Journeys". */
export const SIGNUP_JOURNEY = {
  format: 'runloom/v1',
  id: 'signup',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'lead', type: 'ux' },
    { id: 'onboarded', type: 'ux' },
    { id: 'welcome', type: 'subflow', flow: 'welcome', input: { to: '=entity.email', at: '=run.trigger.uxNodeId' } },
    { id: 'audit', type: 'subflow', flow: 'audit@1' },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'lead' },
    { from: 'lead', to: 'onboarded', kind: 'journey' },
    { from: 'lead', to: 'welcome', kind: 'system' },
    { from: 'lead', to: 'audit', kind: 'system' },
    { from: 'onboarded', to: 'audit', kind: 'system' },
    { from: 'welcome', to: 'done' },
    { from: 'audit', to: 'done' },
  ],
};

/** A system flow that completes with `{ score }` taken from its input (a failure when asked). */
export const scoreFlow = (id: string) => ({
  format: 'runloom/v1',
  id,
  output: '=vars.result',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'check', type: 'decision' },
    { id: 'boom', type: 'task', action: 'fail', input: { code: 'ASKED', message: 'asked to fail' } },
    {
      id: 'score',
      type: 'task',
      action: 'set',
      input: { score: '=input.entity.attributes.score', entity: '=input.trigger.entityId' },
      output: 'result',
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'check' },
    { from: 'check', to: 'boom', when: 'input.entity.attributes.fail = true' },
    { from: 'check', to: 'score', default: true },
    { from: 'boom', to: 'end' },
    { from: 'score', to: 'end' },
  ],
});

export async function setUpSales(runloom: Runloom, workspace = 'default') {
  const flows = runloom.flows.in(workspace);
  await flows.publish(scoreFlow('enrich'));
  await flows.publish(scoreFlow('qualify'));
  await flows.publish(SALES_JOURNEY);
  await runloom.journeys.in(workspace).setMappings('sales', [
    { nodeId: 'lead', flowId: 'enrich' },
    { nodeId: 'qualified', flowId: 'qualify' },
  ]);
}

/** Resolves once `check` holds, polling (progression runs in the background). */
export async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
