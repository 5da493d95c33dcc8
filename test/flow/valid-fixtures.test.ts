/** Valid fixtures validate without a problem and compile; JSON and YAML compile alike. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFlow, loadFlowFile, NO_LIMIT, parseFlowText, validateFlow } from '../../src/flow/index.js';
import { plainFlow } from '../support/plain-flow.js';
import { fixture, fixtureActions, fixtureFlows } from './support.js';

const read = (name: string) => readFileSync(fixture(`valid/${name}`), 'utf8');
const ctx = { actions: fixtureActions, flows: fixtureFlows };

describe('valid flow fixtures', () => {
  it.each(['spec-example.yaml', 'spec-example.json', 'all-node-types.yaml', 'diamond.yaml', 'diamond.json', 'loop.yaml'])(
    '%s validates and compiles',
    (name) => {
      const { flow, problems } = validateFlow(parseFlowText(read(name), name), ctx);
      expect(problems).toEqual([]);
      expect(flow).toBeDefined();
      const compiled = loadFlow(read(name), { ...ctx, sourceName: name, version: 3 });
      expect(compiled.version).toBe(3);
      expect(compiled.nodes[compiled.start].type).toBe('start');
      expect(compiled.nodes.map((node) => node.index)).toEqual(compiled.nodes.map((_, i) => i));
    },
  );

  it('decision-without-default.yaml is valid: an all-conditional split only warns', () => {
    const { flow, problems, warnings } = validateFlow(parseFlowText(read('decision-without-default.yaml'), 'x'), ctx);
    expect(problems).toEqual([]);
    expect(flow).toBeDefined();
    expect(warnings.map((w) => `${w.code} @ ${w.path}`)).toEqual(['DECISION_WITHOUT_DEFAULT @ nodes[1]']);
  });

  it('JSON and YAML give the same compiled structure', () => {
    for (const name of ['spec-example', 'diamond']) {
      const yaml = loadFlow(read(`${name}.yaml`), { ...ctx, sourceName: `${name}.yaml` });
      const json = loadFlow(read(`${name}.json`), { ...ctx, sourceName: `${name}.json` });
      expect(plainFlow(json)).toEqual(plainFlow(yaml));
    }
  });

  it('loadFlowFile reads and parses a file', async () => {
    const raw = await loadFlowFile(fixture('valid/diamond.yaml'));
    expect(raw).toMatchObject({ format: 'runloom/v1', id: 'diamond' });
  });

  it('compiles the SPEC example as written', () => {
    const flow = loadFlow(read('spec-example.yaml'), ctx);
    const node = (id: string) => flow.nodes[flow.nodeIndex.get(id)!];
    expect(flow.id).toBe('onboarding');
    expect(flow.name).toBe('Customer onboarding');
    expect(flow.limits).toEqual({ maxSteps: 200, maxTime: 600_000, maxCredits: 5000, maxParallel: 10 });
    expect(flow.onLimit).toEqual({ maxSteps: 'fail', maxTime: 'fail', maxCredits: 'fail' });
    expect(flow.onBranchFailure).toBe('stop');
    expect(flow.strategy).toBe('auto');
    expect(flow.allowStrategyOverride).toBe(true);
    expect(flow.checkInput?.({ email: 'a@b.c' })).toBeNull();
    expect(flow.checkInput?.({ email: 3 })).toEqual(['/email must be string']);
    expect(flow.checkInput?.({})).toEqual(["must have required property 'email'"]);
    expect(flow.output?.evaluate({ vars: { plan: 'pro' } })).toEqual({ plan: 'pro', ok: true });

    const lookup = node('lookup');
    expect(lookup).toMatchObject({ type: 'task', action: 'crm.lookup', output: 'customer', timeout: 30_000 });
    expect(lookup.retry).toEqual({ maxAttempts: 3, backoff: 'exponential', initialDelay: 1000, maxDelay: 60_000, factor: 2 });
    if (lookup.type !== 'task') throw new Error('task expected');
    expect(lookup.input.evaluate({ input: { email: 'a@b.c' } })).toEqual({ email: 'a@b.c', source: 'web' });

    const each = node('each');
    if (each.type !== 'map') throw new Error('map expected');
    expect(each.concurrency).toBe(5);
    expect(each.items.evaluate({ vars: { customer: { contacts: [{ email: 'x' }] } } })).toEqual([{ email: 'x' }]);
    expect(each.body).toMatchObject({ type: 'task', action: 'email.send', index: -1, id: 'each.do', outgoing: [], incoming: [] });

    const approval = node('approval');
    if (approval.type !== 'wait') throw new Error('wait expected');
    expect(approval.signal).toBe('approval');
    expect(approval.waitTimeout).toBe(2 * 86_400_000);
    expect(approval.timeout).toBeUndefined();
    expect(approval.check?.({ approved: 'yes' })).toEqual(['/approved must be boolean']);
    const timeoutEdge = flow.edges[approval.outgoing.find((e) => flow.edges[e].isTimeout)!];
    expect(flow.nodes[timeoutEdge.to].id).toBe('cool');

    expect(node('cool')).toMatchObject({ type: 'timer', duration: 3_600_000 });
    expect(node('billing')).toMatchObject({
      type: 'subflow',
      flow: 'billing-setup',
      version: 2,
      strategy: 'reasoning',
      output: 'billing',
    });
    const summarize = node('summarize');
    if (summarize.type !== 'ai') throw new Error('ai expected');
    expect(summarize.prompt?.render({ vars: { customer: { name: 'Ada' } } })).toBe(
      'Summarize the account of Ada in 3 bullet points.',
    );

    const charge = node('charge');
    expect(charge.boundaries).toEqual([
      { index: 0, on: 'error', code: 'CARD_DECLINED', to: flow.nodeIndex.get('askNewCard'), interrupting: true },
      { index: 1, on: 'timer', after: 3_600_000, to: flow.nodeIndex.get('remind'), interrupting: false },
      { index: 2, on: 'signal', signal: 'cancelOrder', to: flow.nodeIndex.get('refund'), interrupting: true },
    ]);
    expect(node('route')).toMatchObject({ type: 'decision', mode: 'auto' });
    expect(node('cancelled')).toMatchObject({ type: 'end', terminate: true });
    expect(node('done')).toMatchObject({ type: 'end', terminate: false });
    const gold = flow.edges[2];
    expect(gold.when?.evaluate({ vars: { customer: { tier: 'gold' } } })).toBe(true);
    expect(flow.edges[4]).toMatchObject({ isDefault: true, isTimeout: false, kind: 'flow' });
    expect(flow.definition).toMatchObject({ id: 'onboarding', format: 'runloom/v1' });
    expect(lookup.raw).toMatchObject({ id: 'lookup', timeout: '30s' });
  });

  it('compiles every node type', () => {
    const flow = loadFlow(read('all-node-types.yaml'), ctx);
    const types = new Set(flow.nodes.map((n) => n.type));
    expect([...types].sort()).toEqual(
      ['ai', 'decision', 'end', 'inclusive', 'map', 'parallel', 'race', 'start', 'subflow', 'task', 'timer', 'ux', 'wait'].sort(),
    );
    const node = (id: string) => flow.nodes[flow.nodeIndex.get(id)!];
    expect(flow.limits).toEqual({ maxSteps: 1000, maxTime: 3_600_000, maxCredits: NO_LIMIT, maxParallel: 10 });
    expect(node('start').weight).toBe(0);
    expect(node('task')).toMatchObject({ retry: { maxAttempts: 2, backoff: 'fixed', initialDelay: 500 }, timeout: 30_000 });
    const task = node('task');
    if (task.type !== 'task') throw new Error('task expected');
    expect(task.estimateCost({})).toBe(3);
    expect(task.input.evaluate({ input: { email: 'e', a: 1 } })).toEqual({
      email: 'e',
      literal: '=not an expression',
      list: [1, 2],
    });
    expect(node('hook')).toMatchObject({ type: 'task', webhook: 'https://example.com/steps', timeout: 3_600_000 });
    expect(node('think')).toMatchObject({ type: 'ai', output: 'plan' });
    expect(node('think').raw).toMatchObject({ maxRounds: 4 });
    expect(node('choose')).toMatchObject({ type: 'decision', mode: 'manual' });
    const perItem = node('perItem');
    if (perItem.type !== 'map') throw new Error('map expected');
    expect(perItem.items.evaluate({})).toEqual([1, 2, 3]);
    expect(perItem.concurrency).toBe(10);
    expect(perItem.body).toMatchObject({ type: 'ai', id: 'perItem.do', index: -1 });
    const perOrder = node('perOrder');
    if (perOrder.type !== 'map') throw new Error('map expected');
    expect(perOrder.body).toMatchObject({
      type: 'subflow',
      flow: 'billing-setup',
      version: undefined,
      retry: { maxAttempts: 3 },
    });
    const signal = node('signal');
    if (signal.type !== 'wait') throw new Error('wait expected');
    expect(signal.check?.({ ok: true, email: 'nope' })).toEqual(['/email must match format "email"']);
    expect(signal.check?.({ ok: true, email: 'a@b.co' })).toBeNull();
    expect(node('nap')).toMatchObject({ type: 'timer', duration: 90_000 });
    const alarm = node('alarm');
    if (alarm.type !== 'timer') throw new Error('timer expected');
    expect(alarm.until?.evaluate({})).toBe('2030-01-01T09:00:00Z');
    expect(node('weekly')).toMatchObject({ type: 'timer', cron: '0 9 * * 1' });
    const later = node('later');
    if (later.type !== 'timer') throw new Error('timer expected');
    expect(later.until?.evaluate({ vars: { date: '2031-05-05' } })).toBe('2031-05-05');
    expect(node('child')).toMatchObject({ type: 'subflow', flow: 'billing-setup', version: 1 });
    expect(node('screen')).toMatchObject({ type: 'ux' });
    // Journey edges join ux nodes of a journey flow (tested in test/journey); a system edge leaves a ux node.
    expect(flow.edges.find((e) => e.kind === 'system')).toBeDefined();
    expect(node('done')).toMatchObject({ type: 'end', terminate: true });
  });
});
