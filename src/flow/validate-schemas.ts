/** INVALID_SCHEMA: JSON Schemas in the flow that ajv cannot compile. */
import type { FlowProblem } from '../errors.js';
import { schemaProblem } from './json-schema.js';
import { problem } from './problems.js';
import { type FlowView, isObject } from './view.js';

export function checkSchemas(view: FlowView): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const check = (schema: unknown, path: string, what: string) => {
    if (!isObject(schema)) return; // not an object: a SCHEMA problem already
    const reason = schemaProblem(schema);
    if (reason) problems.push(problem(path, 'INVALID_SCHEMA', `${what} is not a valid JSON Schema: ${reason}`));
  };
  const flow = typeof view.raw.id === 'string' ? `flow '${view.raw.id}'` : 'flow';
  check(view.raw.inputs, 'inputs', `${flow} inputs`);
  check(view.raw.outputs, 'outputs', `${flow} outputs`);
  for (const node of view.nodes) {
    if (node.type === 'wait') check(node.raw.schema, `${node.path}.schema`, `${node.label} schema`);
    if (node.type === 'ai') check(node.raw.outputSchema, `${node.path}.outputSchema`, `${node.label} outputSchema`);
    if (node.type === 'map' && isObject(node.raw.do) && node.raw.do.type === 'ai') {
      check(node.raw.do.outputSchema, `${node.path}.do.outputSchema`, `${node.label} do.outputSchema`);
    }
  }
  return problems;
}
