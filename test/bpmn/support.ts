/** BPMN test documents: a process body wrapped in definitions with the namespaces files use. */
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';

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
