/**
 * A task's literal input checked against its action's input schema at validation (ACTION_INPUT):
 * `delay` with `ms: hello` or `ms: 1e400` is a problem of the file, not a failure an hour into
 * a run. Only what is written literally is judged: an issue at or under an expression (`=…`)
 * depends on the run and is left to the step.
 */
import type { ActionDefinition } from '../actions/action.js';
import type { FlowProblem } from '../errors.js';
import { isExpression } from '../expr/index.js';
import { formatPath, joinPath, problem } from './problems.js';

/** The input as the action would get it where it is literal: `==x` is the text `=x`. */
function literalOf(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('==') ? value.slice(1) : value;
  if (Array.isArray(value)) return value.map(literalOf);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = literalOf(item);
    return out;
  }
  return value;
}

/** Whether the issue's path passes through (or ends on) an expression of the raw input. */
function underExpression(raw: unknown, path: readonly PropertyKey[]): boolean {
  let at: unknown = raw;
  for (let i = 0; ; i++) {
    if (isExpression(at)) return true;
    if (i === path.length || at === null || typeof at !== 'object') return false;
    at = (at as Record<PropertyKey, unknown>)[path[i] as string];
  }
}

export function checkActionInput(
  action: ActionDefinition<unknown, unknown>,
  input: unknown,
  path: string,
  label: string,
): FlowProblem[] {
  if (isExpression(input)) return [];
  const result = action.input.safeParse(literalOf(input ?? {}));
  if (result.success) return [];
  const problems: FlowProblem[] = [];
  for (const issue of result.error.issues) {
    if (underExpression(input, issue.path)) continue;
    const where = formatPath(issue.path);
    problems.push(
      problem(
        joinPath(`${path}.input`, where),
        'ACTION_INPUT',
        `${label}: action '${action.name}' refuses input${where ? ` ${where}` : ''}: ${issue.message}`,
      ),
    );
  }
  return problems;
}
