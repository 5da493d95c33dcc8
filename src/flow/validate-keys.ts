/**
 * RESERVED_KEY: `__proto__`, `constructor` and `prototype` anywhere in a flow file — as an
 * object key (a node `input: { __proto__: … }` passed validation and failed at run time), as a
 * node id (it becomes a key of `steps`), or as a segment of an `output` path (`output:
 * __proto__` became the prototype of `vars`). Reported at the exact path, all at once.
 */
import type { FlowProblem } from '../errors.js';
import { RESERVED_KEYS } from '../expr/index.js';
import { formatPath, problem } from './problems.js';
import { type FlowView, isObject } from './view.js';

const WHY = 'is reserved: it names JavaScript object machinery, so it can be neither a key nor an id';

export function checkReservedKeys(view: FlowView): FlowProblem[] {
  const problems = reservedKeysIn(view.raw);
  for (const node of view.nodes) {
    if (typeof node.raw.id === 'string' && RESERVED_KEYS.has(node.raw.id)) {
      problems.push(problem(`${node.path}.id`, 'RESERVED_KEY', `node id '${node.raw.id}' ${WHY}`));
    }
    const output = node.raw.output;
    if (typeof output !== 'string') continue;
    const segment = output.split('.').find((part) => RESERVED_KEYS.has(part));
    if (segment !== undefined) {
      problems.push(problem(`${node.path}.output`, 'RESERVED_KEY', `${node.label}: output '${output}': \`${segment}\` ${WHY}`));
    }
  }
  return problems;
}

/** Every object key of the file in RESERVED_KEYS, walked without recursion (files may nest deeply). */
function reservedKeysIn(raw: unknown): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const stack: [unknown, PropertyKey[]][] = [[raw, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, PropertyKey[]];
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], [...path, i]]);
    } else if (isObject(value)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const at = [...path, keys[i]];
        if (RESERVED_KEYS.has(keys[i])) problems.push(problem(formatPath(at), 'RESERVED_KEY', `the key \`${keys[i]}\` ${WHY}`));
        else stack.push([value[keys[i]], at]);
      }
    }
  }
  return problems;
}
