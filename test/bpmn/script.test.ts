/**
 * BPMN script tasks run in the script sandbox (a worker thread, a fresh vm context per script):
 * with bpmn-engine's scope, setting process variables that conditions then read, failing with a
 * BpmnError code that an error boundary catches, and held to their time and memory limits
 * without taking Runloom down. Published as XML through the library, on a SQLite file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptSandbox } from '../../src/bpmn/script/sandbox.js';
import { FlowInvalidError } from '../../src/errors.js';
import type { Runloom } from '../../src/runloom.js';
import { bpmn, counterBpmn, runloomOnFiles } from './support.js';

const sandbox = new ScriptSandbox({ timeoutMs: 200, memoryMb: 32 });
afterAll(async () => {
  await sandbox.close();
});

const onFile = runloomOnFiles('runloom-bpmn-script-');
const withScripts = <T>(body: (r: Runloom) => Promise<T>, log?: (message: string) => void) =>
  onFile({ bpmnScripts: { timeoutMs: 200 }, ...(log ? { log } : {}) }, body);

async function settled(runloom: Runloom, runId: string) {
  for (let i = 0; i < 400; i++) {
    const state = await runloom.runs.state(runId);
    if (state.status === 'completed' || state.status === 'failed') return state;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`run ${runId} did not settle`);
}

const COUNTER = counterBpmn(`
      const vars = environment.variables;
      vars.count = (vars.count || 0) + 1;
      vars.seen = (vars.seen || []).concat(content.id);
      logger.info('count is', vars.count);
      next();
    `);

const CHECKED = bpmn(
  `
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="check" scriptFormat="js"><bpmn:script><![CDATA[
      if (!environment.variables.input) next(new BpmnError('Input is missing', { errorCode: 404 }));
      else next(null, environment.variables.input * 2);
    ]]></bpmn:script></bpmn:scriptTask>
    <bpmn:boundaryEvent id="missing" attachedToRef="check"><bpmn:errorEventDefinition errorRef="notFound" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="ok" /><bpmn:endEvent id="handled" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="ok" />
    <bpmn:sequenceFlow id="f3" sourceRef="missing" targetRef="handled" />`,
  '<bpmn:error id="notFound" errorCode="404" />',
);

describe('BPMN script tasks', () => {
  it('are refused on publish unless the Runloom runs scripts (bpmnScripts)', async () => {
    await onFile({}, async (runloom) => {
      const refusal = await runloom.flows.publish(COUNTER, 'counter.bpmn').catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(FlowInvalidError);
      expect((refusal as FlowInvalidError).problems[0].message).toContain("scriptTask 'count': a script task runs JavaScript");
    });
  });

  it('set process variables that conditions read: a loop drawn with a gateway runs three times', async () => {
    const logged: string[] = [];
    await withScripts(
      async (runloom) => {
        const { flowId } = await runloom.flows.publish(COUNTER, 'counter.bpmn');
        const run = await runloom.runs.start(flowId, {});
        const state = await settled(runloom, run.id);
        expect(state.status).toBe('completed');
        expect(state.vars).toEqual({ count: 3, seen: ['count', 'count', 'count'] });
      },
      (message) => logged.push(message),
    );
    // The script's logger writes to the step's log.
    expect(logged.filter((m) => m.startsWith('count is'))).toEqual(['count is 1', 'count is 2', 'count is 3']);
  });

  it('a script task with a standard loop runs while its loopCondition holds; testBefore checks first', async () => {
    const looped = (attrs: string) =>
      bpmn(`<bpmn:startEvent id="s" /><bpmn:endEvent id="e" />
    <bpmn:scriptTask id="inc" scriptFormat="JavaScript"><bpmn:standardLoopCharacteristics${attrs}><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">\${n &lt; 3}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>
      <bpmn:script>environment.variables.n = (environment.variables.n || 0) + 1; next();</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="inc" /><bpmn:sequenceFlow id="f2" sourceRef="inc" targetRef="e" />`);
    await withScripts(async (runloom) => {
      const { flowId } = await runloom.flows.publish(looped(''), 'loop.bpmn');
      expect((await settled(runloom, (await runloom.runs.start(flowId, {})).id)).vars).toEqual({ n: 3 });
      // Do-while: the body runs once even when the condition is false from the start.
      expect((await settled(runloom, (await runloom.runs.start(flowId, { n: 7 })).id)).vars).toEqual({ n: 8 });
      await runloom.flows.publish(looped(' testBefore="true"'), 'while.bpmn');
      expect((await settled(runloom, (await runloom.runs.start(flowId, { n: 7 })).id)).vars).toEqual({});
      expect((await settled(runloom, (await runloom.runs.start(flowId, { n: 1 })).id)).vars).toEqual({ n: 3 });
    });
  });

  it('next(null, result) goes on; a BpmnError with a code is caught by the error boundary with that code', async () => {
    await withScripts(async (runloom) => {
      const { flowId } = await runloom.flows.publish(CHECKED, 'checked.bpmn');
      const fine = await settled(runloom, (await runloom.runs.start(flowId, { input: 21 })).id);
      expect(fine.status).toBe('completed');
      const missing = await runloom.runs.start(flowId, {});
      const caught = await settled(runloom, missing.id);
      expect(caught.status).toBe('completed');
      const ended = (await runloom.runs.events(missing.id)).filter((e) => e.type === 'branch.ended').map((e) => e.nodeId);
      expect(ended).toEqual(['handled']);
      expect(caught.steps.check).toMatchObject({
        status: 'failed',
        error: { code: '404', message: "script 'check': Input is missing" },
      });
    });
  });
});

describe('the script sandbox', () => {
  const input = { variables: { n: 1 }, content: { id: 's', type: 'scriptTask' } };

  it('gives a script bpmn-engine scope and nothing of Node: no process, require, eval or Function from strings', async () => {
    const probe = await sandbox.run(
      `next(null, [typeof process, typeof require, typeof setTimeout, typeof variables, typeof this.variables, typeof globalThis.fetch].join())`,
      input,
    );
    expect(probe).toMatchObject({ kind: 'done', result: 'undefined,undefined,undefined,undefined,undefined,undefined' });
    for (const attempt of [
      `this.constructor.constructor('return process')()`,
      `environment.constructor.constructor('return process')()`,
      `next.constructor('return process')()`,
      `eval('1')`,
    ]) {
      const outcome = await sandbox.run(attempt, input);
      expect(outcome, attempt).toMatchObject({
        kind: 'thrown',
        message: 'Code generation from strings disallowed for this context',
      });
    }
    const missing = await sandbox.run('variables.n++; next()', input);
    expect(missing).toEqual({ kind: 'thrown', message: 'variables is not defined' });
  });

  it('reports only the variables a script changed, and a script that never calls next()', async () => {
    const outcome = await sandbox.run('environment.variables.m = { a: [1] }; environment.variables.n = 1; next()', input);
    expect(outcome).toEqual({ kind: 'done', called: true, changed: { m: { a: [1] } }, logs: [] });
    expect(await sandbox.run('1 + 1', input)).toMatchObject({ kind: 'done', called: false });
  });

  it('stops a script past its time limit, and one that exhausts its memory, and keeps serving', async () => {
    const loop = await sandbox.run('while (true) {}', input);
    expect(loop).toEqual({ kind: 'timeout', message: 'Script execution timed out after 200ms' });
    const promises = await sandbox.run('const spin = () => Promise.resolve().then(spin); spin();', input);
    expect(promises.kind).toBe('timeout');
    const hog = await sandbox.run('const a = []; while (true) a.push(new Array(1e5).fill(a.length));', {
      ...input,
    });
    expect(['memory', 'timeout']).toContain(hog.kind);
    expect(await sandbox.run('next(null, 42)', input)).toMatchObject({ kind: 'done', result: 42 });
  });

  it('a worker that dies under a script is replaced: the next script runs', async () => {
    const small = new ScriptSandbox({ timeoutMs: 5000, memoryMb: 16 });
    try {
      const hog = await small.run('const a = []; while (true) a.push(new Array(1e5).fill(a.length));', input);
      expect(hog).toEqual({ kind: 'memory', message: 'the script ran out of its 16 MB of memory' });
      expect(await small.run('next(null, environment.variables.n + 1)', input)).toMatchObject({ kind: 'done', result: 2 });
    } finally {
      await small.close();
    }
  });
});
