/**
 * A sub-process with a boundary event, or an error end event inside, runs as a child run: a
 * boundary timer cancels every token inside it at once, an error end event inside ends it with
 * the error's code for the boundary with that code, and the variables set inside come back to
 * the process when it completes. Published as XML through the library, on a SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { exportBpmn } from '../../src/bpmn/export.js';
import { importBpmn } from '../../src/bpmn/import.js';
import { FlowInvalidError } from '../../src/errors.js';
import type { Runloom } from '../../src/runloom.js';
import { bpmn, runloomOnFiles } from './support.js';

const onFile = runloomOnFiles('runloom-bpmn-sub-');

const score = defineAction({
  name: 'score',
  description: 'scores an order',
  input: z.unknown(),
  run: () => 42,
});

const withRunloom = <T>(body: (r: Runloom) => Promise<T>) => onFile({ actions: [score] }, body);

const ended = async (runloom: Runloom, runId: string) =>
  (await runloom.runs.events(runId)).filter((e) => e.type === 'branch.ended').map((e) => e.nodeId);

/** Inside: score the order (resultVariable), then a gateway: too big → error end, else two people review in parallel. */
const REVIEW = bpmn(
  `
    <bpmn:startEvent id="start" />
    <bpmn:subProcess id="review" name="Review">
      <bpmn:startEvent id="in" />
      <bpmn:serviceTask id="scoring" runloom:action="score" camunda:resultVariable="score" />
      <bpmn:exclusiveGateway id="big" default="toPeople" />
      <bpmn:endEvent id="tooBig"><bpmn:errorEventDefinition errorRef="TooBig" /></bpmn:endEvent>
      <bpmn:parallelGateway id="fork" />
      <bpmn:userTask id="legal" /><bpmn:userTask id="finance" />
      <bpmn:parallelGateway id="both" /><bpmn:endEvent id="reviewed" />
      <bpmn:sequenceFlow id="i1" sourceRef="in" targetRef="scoring" />
      <bpmn:sequenceFlow id="i2" sourceRef="scoring" targetRef="big" />
      <bpmn:sequenceFlow id="toBig" sourceRef="big" targetRef="tooBig">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${amount &gt; 1000}</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="toPeople" sourceRef="big" targetRef="fork" />
      <bpmn:sequenceFlow id="i3" sourceRef="fork" targetRef="legal" /><bpmn:sequenceFlow id="i4" sourceRef="fork" targetRef="finance" />
      <bpmn:sequenceFlow id="i5" sourceRef="legal" targetRef="both" /><bpmn:sequenceFlow id="i6" sourceRef="finance" targetRef="both" />
      <bpmn:sequenceFlow id="i7" sourceRef="both" targetRef="reviewed" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="slow" attachedToRef="review"><bpmn:timerEventDefinition><bpmn:timeDuration>PT0.3S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="rejected" attachedToRef="review"><bpmn:errorEventDefinition errorRef="TooBig" /></bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="scored" default="plain" />
    <bpmn:endEvent id="approved" /><bpmn:endEvent id="highScore" /><bpmn:endEvent id="timedOut" /><bpmn:endEvent id="refused" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="scored" />
    <bpmn:sequenceFlow id="high" sourceRef="scored" targetRef="highScore">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${score == 42}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="plain" sourceRef="scored" targetRef="approved" />
    <bpmn:sequenceFlow id="f3" sourceRef="slow" targetRef="timedOut" />
    <bpmn:sequenceFlow id="f4" sourceRef="rejected" targetRef="refused" />`,
  '<bpmn:error id="TooBig" name="Too big" errorCode="TOO_BIG" />',
);

describe('a sub-process with boundary events', () => {
  it('imports as a subflow node with the boundaries, and a flow of its own for what is inside', async () => {
    const { flow, called } = await importBpmn(REVIEW);
    expect(flow.nodes.find((n) => n.id === 'review')).toEqual({
      id: 'review',
      name: 'Review',
      type: 'subflow',
      flow: 'proc.review',
      input: '=$merge([input, vars])',
      mergeOutput: true,
      boundary: [
        { on: 'timer', after: '300ms', to: 'slow' },
        { on: 'error', code: 'TOO_BIG', to: 'rejected' },
      ],
    });
    expect(called.map((f) => f.id)).toEqual(['proc.review']);
    expect(called[0].nodes.find((n) => n.id === 'tooBig')).toMatchObject({
      type: 'task',
      action: 'fail',
      input: { code: 'TOO_BIG' },
    });
  });

  it('completes with the variables set inside; a timer boundary cancels every token inside; an error end is caught by code', async () => {
    await withRunloom(async (runloom) => {
      await runloom.flows.publish(REVIEW, 'review.bpmn');
      // Both people answer: the sub-process completes and its `score` is a process variable.
      const run = await runloom.runs.start('proc', { amount: 10 });
      const child = async () => (await runloom.runs.list()).find((r) => r.flowId === 'proc.review' && r.parentRunId === run.id);
      await runloom.runs.wait(run.id, (s) => s.status === 'waiting');
      let inside = await child();
      for (let i = 0; i < 100 && !inside; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        inside = await child();
      }
      const childId = inside?.id as string;
      await runloom.runs.wait(childId, (s) => s.tokens.filter((t) => t.status === 'waiting').length === 2);
      await runloom.runs.callback(childId, 'legal', { status: 'completed', output: {} });
      await runloom.runs.callback(childId, 'finance', { status: 'completed', output: {} });
      const done = await runloom.runs.wait(run.id);
      expect(done.status).toBe('completed');
      expect((await runloom.runs.state(run.id)).vars).toEqual({ score: 42 });
      expect(await ended(runloom, run.id)).toEqual(['highScore']);

      // Nobody answers: the boundary timer cancels the child run, both waits with it.
      const slow = await runloom.runs.start('proc', { amount: 10 });
      const timedOut = await runloom.runs.wait(slow.id);
      expect(timedOut.status).toBe('completed');
      expect(await ended(runloom, slow.id)).toEqual(['timedOut']);
      const inSlow = (await runloom.runs.list()).find((r) => r.flowId === 'proc.review' && r.parentRunId === slow.id);
      const cancelled = await runloom.runs.wait(inSlow?.id as string);
      expect(cancelled.status).toBe('cancelled');
      expect((await runloom.runs.state(cancelled.id)).tokens.filter((t) => t.status === 'waiting')).toEqual([]);

      // Too big: the error end event inside ends the sub-process; the boundary with its code catches it.
      const big = await runloom.runs.start('proc', { amount: 5000 });
      const caught = await runloom.runs.wait(big.id);
      expect(caught.status).toBe('completed');
      expect(await ended(runloom, big.id)).toEqual(['refused']);
    });
  });
});

describe('exporting a sub-process run as a child run', () => {
  it('is refused naming the node and the flow to export instead', async () => {
    const { flow } = await importBpmn(REVIEW);
    const refusal = await exportBpmn(flow).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(FlowInvalidError);
    expect((refusal as FlowInvalidError).problems).toEqual([
      {
        path: 'nodes.review.mergeOutput',
        code: 'BPMN_EXPORT',
        message:
          "subflow node 'review': a sub-process run as a child run is not exported yet; export its flow 'proc.review' on its own",
      },
    ]);
  });
});

describe('a multi-instance user task', () => {
  const APPROVALS = bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="approve" name="Approve"><bpmn:multiInstanceLoopCharacteristics camunda:collection="\${approvers}" /></bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />`);

  it('is a map over child runs that each wait for their own answer', async () => {
    const { flow, called } = await importBpmn(APPROVALS);
    expect(flow.nodes.find((n) => n.id === 'approve')).toEqual({
      id: 'approve',
      type: 'map',
      items: '=($exists(vars.approvers) ? vars.approvers : input.approvers)',
      do: { name: 'Approve', type: 'subflow', flow: 'proc.approve', input: { item: '=item' } },
    });
    expect(called).toEqual([
      {
        format: 'runloom/v1',
        id: 'proc.approve',
        // The start and end it adds avoid the file's ids (`start`, `end`).
        nodes: [
          { id: '_start', type: 'start' },
          { id: 'approve', type: 'wait' },
          { id: '_end', type: 'end' },
        ],
        edges: [
          { from: '_start', to: 'approve' },
          { from: 'approve', to: '_end' },
        ],
      },
    ]);
    await withRunloom(async (runloom) => {
      await runloom.flows.publish(APPROVALS, 'approvals.bpmn');
      const run = await runloom.runs.start('proc', { approvers: ['ada', 'grace', 'linus'] });
      const waiting = async () => (await runloom.runs.list()).filter((r) => r.parentRunId === run.id && r.status === 'waiting');
      for (let i = 0; i < 200 && (await waiting()).length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const instances = await waiting();
      expect(instances).toHaveLength(3);
      for (const instance of instances) {
        expect((await runloom.runs.state(instance.id)).input).toMatchObject({ item: expect.any(String) });
        await runloom.runs.callback(instance.id, 'approve', { status: 'completed', output: { ok: true } });
      }
      expect((await runloom.runs.wait(run.id)).status).toBe('completed');
    });
  });
});
