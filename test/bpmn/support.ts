/** BPMN test documents: a process body wrapped in definitions with the namespaces files use. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { createRunloom, type Runloom, type RunloomOptions } from '../../src/runloom.js';

export function bpmn(body: string, roots = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:runloom="http://runloom.dev/schema/bpmn" id="defs" targetNamespace="http://runloom.dev/test">
  <bpmn:process id="proc" isExecutable="true">
${body}
  </bpmn:process>
${roots}
</bpmn:definitions>
`;
}

/**
 * A script task `count` that runs again while `environment.variables.count < 3` (a JavaScript
 * condition); its script by default adds one to `count`.
 */
export function counterBpmn(script = 'environment.variables.count = (environment.variables.count || 0) + 1; next();'): string {
  return bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="count" scriptFormat="JavaScript"><bpmn:script><![CDATA[${script}]]></bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" default="done" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="count" />
    <bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="again" />
    <bpmn:sequenceFlow id="loop" sourceRef="again" targetRef="count">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="JavaScript">next(null, environment.variables.count &lt; 3);</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="again" targetRef="end" />`);
}

/** An action that records every input it gets and answers `{ ok: true }`. */
export function recorder(name: string) {
  const calls: unknown[] = [];
  const action = defineAction({
    name,
    description: 'records its input',
    input: z.unknown(),
    run: (input: unknown) => {
      calls.push(input);
      return { ok: true };
    },
  });
  return { action, calls };
}

/**
 * `withRunloom(options, body)`: a Runloom on a new SQLite file of a temp folder (removed after
 * the test file), closed after `body`.
 */
export function runloomOnFiles(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return async <T>(options: Omit<RunloomOptions, 'store'>, body: (runloom: Runloom) => Promise<T>): Promise<T> => {
    const runloom = await createRunloom({ ...options, store: join(dir, `run-${++files}.db`) });
    try {
      return await body(runloom);
    } finally {
      await runloom.close();
    }
  };
}
