/**
 * Imported BPMN runs with BPMN's semantics: `${}` conditions over process variables, gateways
 * (an all-conditional split with nothing true fails with NO_PATH naming it), ISO 8601 timers,
 * user tasks and catch events as waits, error boundaries, a sub-process as a scope, and
 * multi-instance over a collection. Published as XML through the library, on a SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { RunloomError } from '../../src/errors.js';
import type { Runloom, RunloomOptions } from '../../src/runloom.js';
import { bpmn, recorder, runloomOnFiles } from './support.js';

const onFile = runloomOnFiles('runloom-bpmn-');
const withRunloom = <T>(actions: RunloomOptions['actions'], body: (r: Runloom) => Promise<T>) =>
  onFile(actions ? { actions } : {}, body);

const started = async (runloom: Runloom, runId: string) =>
  (await runloom.runs.events(runId)).filter((e) => e.type === 'step.started').map((e) => e.nodeId);

const ROUTE = bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="route" default="toLow" />
    <bpmn:task id="high" /><bpmn:task id="low" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route" />
    <bpmn:sequenceFlow id="toHigh" sourceRef="route" targetRef="high">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${environment.variables.amount &gt; 100 &amp;&amp; !blocked}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toLow" sourceRef="route" targetRef="low" />
    <bpmn:sequenceFlow id="f2" sourceRef="high" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="low" targetRef="end" />`);

describe('imported BPMN runs', () => {
  it('$-brace conditions read process variables (the run input); the default flow is taken when none holds', async () => {
    await withRunloom([], async (runloom) => {
      await runloom.flows.publish(ROUTE, 'route.bpmn');
      const high = await runloom.runs.wait((await runloom.runs.start('proc', { amount: 500 })).id);
      expect(high.status).toBe('completed');
      expect(await started(runloom, high.id)).toEqual(['high']);
      const blocked = await runloom.runs.wait((await runloom.runs.start('proc', { amount: 500, blocked: true })).id);
      expect(await started(runloom, blocked.id)).toEqual(['low']);
      const low = await runloom.runs.wait((await runloom.runs.start('proc', { amount: 5 })).id);
      expect(await started(runloom, low.id)).toEqual(['low']);
    });
  });

  it('an exclusive gateway with only conditional flows and none true fails with NO_PATH naming the gateway', async () => {
    await withRunloom([], async (runloom) => {
      await runloom.flows.publish(
        ROUTE.replace(' default="toLow"', '').replace(
          'id="toLow" sourceRef="route" targetRef="low" />',
          `id="toLow" sourceRef="route" targetRef="low"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${false}</bpmn:conditionExpression></bpmn:sequenceFlow>`,
        ),
      );
      const run = await runloom.runs.wait((await runloom.runs.start('proc', { amount: 1 })).id);
      expect(run.status).toBe('failed');
      const state = await runloom.runs.state(run.id);
      expect(state.error?.code).toBe('NO_PATH');
      expect(state.error?.message).toContain("'route'");
    });
  });

  it('ISO 8601 timers: a duration, a date and a cycle (its first interval) each hold the token that long', async () => {
    const at = new Date(Date.now() + 400).toISOString();
    const timer = (id: string, definition: string) =>
      `<bpmn:intermediateCatchEvent id="${id}"><bpmn:timerEventDefinition>${definition}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
    const xml = bpmn(`
      <bpmn:startEvent id="start" />
      ${timer('d', '<bpmn:timeDuration>PT0.15S</bpmn:timeDuration>')}
      ${timer('c', '<bpmn:timeCycle>R3/PT0.1S</bpmn:timeCycle>')}
      ${timer('t', `<bpmn:timeDate>${at}</bpmn:timeDate>`)}
      <bpmn:endEvent id="end" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="d" />
      <bpmn:sequenceFlow id="f2" sourceRef="d" targetRef="c" />
      <bpmn:sequenceFlow id="f3" sourceRef="c" targetRef="t" />
      <bpmn:sequenceFlow id="f4" sourceRef="t" targetRef="end" />`);
    await withRunloom([], async (runloom) => {
      await runloom.flows.publish(xml);
      const run = await runloom.runs.wait((await runloom.runs.start('proc', {})).id);
      expect(run.status).toBe('completed');
      const events = await runloom.runs.events(run.id);
      const fired = events.filter((e) => e.type === 'timer.fired');
      expect(fired.map((e) => e.nodeId)).toEqual(['d', 'c', 't']);
      expect(fired[0].at - events[0].at).toBeGreaterThanOrEqual(150);
      expect(fired[1].at - fired[0].at).toBeGreaterThanOrEqual(100);
      expect(fired[2].at).toBeGreaterThanOrEqual(Date.parse(at));
    });
  });

  it('multi-instance over a collection runs the task once per item, in order when sequential', async () => {
    const { action, calls } = recorder('charge');
    const xml = bpmn(`
      <bpmn:startEvent id="start" />
      <bpmn:serviceTask id="each" runloom:action="charge" camunda:resultVariable="receipts">
        <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="\${variables.orders}" />
      </bpmn:serviceTask>
      <bpmn:endEvent id="end" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each" />
      <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end" />`);
    await withRunloom([action], async (runloom) => {
      await runloom.flows.publish(xml);
      const run = await runloom.runs.wait((await runloom.runs.start('proc', { orders: ['a', 'b', 'c'] })).id);
      expect(run.status).toBe('completed');
      expect(calls).toEqual([{ item: 'a' }, { item: 'b' }, { item: 'c' }]);
      expect((await runloom.runs.state(run.id)).vars.receipts).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    });
  });

  it('a user task waits for its callback, a message catch for its signal; an error boundary catches its code', async () => {
    const failing = defineAction({
      name: 'charge',
      input: z.unknown(),
      run: () => {
        throw new RunloomError('DECLINED', 'card declined', { retryable: false });
      },
    });
    const xml = bpmn(
      `
      <bpmn:startEvent id="start" />
      <bpmn:userTask id="approve" />
      <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
      <bpmn:serviceTask id="charge" runloom:action="charge" />
      <bpmn:boundaryEvent id="declined" attachedToRef="charge"><bpmn:errorEventDefinition errorRef="e" /></bpmn:boundaryEvent>
      <bpmn:endEvent id="ok" /><bpmn:endEvent id="ko" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
      <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="paid" />
      <bpmn:sequenceFlow id="f3" sourceRef="paid" targetRef="charge" />
      <bpmn:sequenceFlow id="f4" sourceRef="charge" targetRef="ok" />
      <bpmn:sequenceFlow id="f5" sourceRef="declined" targetRef="ko" />`,
      '<bpmn:message id="m" name="payment-received" /><bpmn:error id="e" errorCode="DECLINED" />',
    );
    await withRunloom([failing], async (runloom) => {
      await runloom.flows.publish(xml);
      const { id } = await runloom.runs.start('proc', {});
      expect((await runloom.runs.wait(id, (s) => s.status === 'waiting')).status).toBe('waiting');
      await runloom.runs.callback(id, 'approve', { status: 'completed', output: {} });
      await runloom.runs.wait(id, (s) => s.tokens.some((t) => t.waitingFor === 'signal'));
      await runloom.runs.signal(id, 'payment-received', {});
      const run = await runloom.runs.wait(id);
      expect(run.status).toBe('completed');
      const ended = (await runloom.runs.events(id)).filter((e) => e.type === 'branch.ended').map((e) => e.nodeId);
      expect(ended).toEqual(['ko']);
    });
  });

  it('an embedded sub-process is a scope: the flow after it goes on once every token inside has ended', async () => {
    const { action, calls } = recorder('work');
    const xml = bpmn(`
      <bpmn:startEvent id="start" />
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="in" />
        <bpmn:parallelGateway id="split" />
        <bpmn:serviceTask id="a" runloom:action="work" /><bpmn:serviceTask id="b" runloom:action="work" />
        <bpmn:endEvent id="outA" /><bpmn:endEvent id="outB" />
        <bpmn:sequenceFlow id="s1" sourceRef="in" targetRef="split" />
        <bpmn:sequenceFlow id="s2" sourceRef="split" targetRef="a" />
        <bpmn:sequenceFlow id="s3" sourceRef="split" targetRef="b" />
        <bpmn:sequenceFlow id="s4" sourceRef="a" targetRef="outA" />
        <bpmn:sequenceFlow id="s5" sourceRef="b" targetRef="outB" />
      </bpmn:subProcess>
      <bpmn:serviceTask id="after" runloom:action="work" />
      <bpmn:endEvent id="end" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
      <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="after" />
      <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />`);
    await withRunloom([action], async (runloom) => {
      await runloom.flows.publish(xml);
      const run = await runloom.runs.wait((await runloom.runs.start('proc', {})).id);
      expect(run.status).toBe('completed');
      expect(calls).toHaveLength(3);
      const events = await runloom.runs.events(run.id);
      expect(events.filter((e) => e.type === 'branch.joined' && e.nodeId === 'sub')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'step.started' && e.nodeId === 'after')).toHaveLength(1);
    });
  });

  it('a signal thrown in one run reaches the other runs of the store waiting for it (a catch, or a signal boundary)', async () => {
    const SIGNAL = '<bpmn:signal id="s" name="price-changed" />';
    /** start → one signal event → end, as process `id`. */
    const around = (id: string, event: string) =>
      bpmn(
        `<bpmn:startEvent id="start" />${event}<bpmn:endEvent id="end" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ev" />
        <bpmn:sequenceFlow id="f2" sourceRef="ev" targetRef="end" />`,
        SIGNAL,
      ).replace('id="proc"', `id="${id}"`);
    const waiter = around(
      'proc',
      '<bpmn:intermediateCatchEvent id="ev"><bpmn:signalEventDefinition signalRef="s" /></bpmn:intermediateCatchEvent>',
    );
    const interrupted = bpmn(
      `<bpmn:startEvent id="start" />
      <bpmn:userTask id="trade" />
      <bpmn:boundaryEvent id="stale" attachedToRef="trade"><bpmn:signalEventDefinition signalRef="s" /></bpmn:boundaryEvent>
      <bpmn:endEvent id="traded" /><bpmn:endEvent id="requote" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="trade" />
      <bpmn:sequenceFlow id="f2" sourceRef="trade" targetRef="traded" />
      <bpmn:sequenceFlow id="f3" sourceRef="stale" targetRef="requote" />`,
      SIGNAL,
    ).replace('id="proc"', 'id="trader"');
    const thrower = around(
      'admin',
      '<bpmn:intermediateThrowEvent id="ev"><bpmn:signalEventDefinition signalRef="s" /></bpmn:intermediateThrowEvent>',
    );
    await withRunloom([], async (runloom) => {
      await runloom.flows.publishAll([{ source: waiter }, { source: interrupted }, { source: thrower }]);
      const a = await runloom.runs.start('proc', {});
      const b = await runloom.runs.start('trader', {});
      const other = await runloom.runs.start('trader', {});
      for (const id of [a.id, b.id, other.id])
        expect((await runloom.runs.wait(id, (s) => s.status === 'waiting')).status).toBe('waiting');
      await runloom.runs.callback(other.id, 'trade', { status: 'completed', output: {} }); // done before the signal
      const shout = await runloom.runs.wait((await runloom.runs.start('admin', {})).id);
      expect(shout.status).toBe('completed');
      const reached = ((await runloom.runs.state(shout.id)).steps.ev as { output: { reached: string[] } }).output.reached;
      expect(reached.sort()).toEqual([a.id, b.id].sort());
      expect((await runloom.runs.wait(a.id)).status).toBe('completed');
      expect((await runloom.runs.wait(b.id)).status).toBe('completed');
      const ended = (await runloom.runs.events(b.id)).filter((e) => e.type === 'branch.ended').map((e) => e.nodeId);
      expect(ended).toEqual(['requote']);
    });
  });

  it('an error end event ends the run failed with the error code', async () => {
    const xml = bpmn(
      `<bpmn:startEvent id="start" /><bpmn:endEvent id="rejected"><bpmn:errorEventDefinition errorRef="e" /></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rejected" />`,
      '<bpmn:error id="e" errorCode="ORDER_REJECTED" />',
    );
    await withRunloom([], async (runloom) => {
      await runloom.flows.publish(xml);
      const run = await runloom.runs.wait((await runloom.runs.start('proc', {})).id);
      expect(run.status).toBe('failed');
      const state = await runloom.runs.state(run.id);
      expect(state.error).toMatchObject({ code: 'ORDER_REJECTED', message: "error end event 'rejected'" });
      expect(state.usage.steps).toBe(1); // not retried
    });
  });
});
