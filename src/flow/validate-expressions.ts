/**
 * INVALID_EXPRESSION (and INVALID_DATE): every `=expression` in value mappings (flow output,
 * node input, blackboard values, webhook), every map `items`, timer `until` and edge `when`,
 * every `{{ }}` template in prompts — each reported at the exact field path.
 */
import type { ExpressionError, FlowProblem } from '../errors.js';
import { compileTemplate, isExpression, validateExpression } from '../expr/index.js';
import { formatPath, joinPath, problem } from './problems.js';
import { type FlowView, isObject, type NodeView, type RawObject } from './view.js';

export function checkExpressions(view: FlowView): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const flowLabel = typeof view.raw.id === 'string' ? `flow '${view.raw.id}'` : 'flow';
  checkValue(view.raw.output, 'output', `${flowLabel} output`, problems);
  checkBlackboard(view.raw.blackboard, 'blackboard', flowLabel, problems);
  for (const node of view.nodes) checkNode(node, problems);
  for (const edge of view.edges) {
    const when = edge.raw.when;
    if (typeof when !== 'string') continue;
    if (when.startsWith('=')) {
      problems.push(
        problem(
          `${edge.path}.when`,
          'INVALID_EXPRESSION',
          `${edge.label}: write the condition without a leading '=' (\`${when.slice(1)}\`)`,
        ),
      );
      continue;
    }
    checkSource(when, `${edge.path}.when`, `${edge.label} condition`, problems);
  }
  return problems;
}

function checkNode(node: NodeView, problems: FlowProblem[]): void {
  const { raw, path, label } = node;
  checkValue(raw.input, `${path}.input`, `${label} input`, problems);
  checkBlackboard(raw.blackboard, `${path}.blackboard`, label, problems);
  checkWork(raw, path, label, problems);
  if (node.type === 'decision') checkTemplate(raw.prompt, `${path}.prompt`, `${label} prompt`, problems);
  if (node.type === 'map') {
    if (typeof raw.items === 'string') {
      if (isExpression(raw.items)) checkSource(raw.items.slice(1), `${path}.items`, `${label} items`, problems);
      else {
        problems.push(
          problem(
            `${path}.items`,
            'INVALID_EXPRESSION',
            `${label}: items must be an \`=expression\` giving a list (like "=vars.contacts") or a literal list`,
          ),
        );
      }
    }
    if (isObject(raw.do)) {
      checkValue(raw.do.input, `${path}.do.input`, `${label} do.input`, problems);
      checkWork(raw.do, `${path}.do`, `${label} do`, problems);
    }
  }
  if (node.type === 'timer' && typeof raw.until === 'string') {
    if (isExpression(raw.until)) checkSource(raw.until.slice(1), `${path}.until`, `${label} until`, problems);
    else if (Number.isNaN(Date.parse(raw.until))) {
      problems.push(
        problem(
          `${path}.until`,
          'INVALID_DATE',
          `${label}: until "${raw.until}" is neither an \`=expression\` nor an ISO date-time like 2025-01-31T09:00:00Z`,
        ),
      );
    }
  }
}

/** Fields of task/ai nodes (and map bodies) that hold expressions or templates. */
function checkWork(raw: RawObject, path: string, label: string, problems: FlowProblem[]): void {
  if (raw.type === 'ai') {
    checkTemplate(raw.prompt, `${path}.prompt`, `${label} prompt`, problems);
    checkTemplate(raw.system, `${path}.system`, `${label} system`, problems);
  }
  if (raw.type === 'task') checkValue(raw.webhook, `${path}.webhook`, `${label} webhook`, problems);
}

function checkBlackboard(ops: unknown, path: string, label: string, problems: FlowProblem[]): void {
  if (!Array.isArray(ops)) return;
  ops.forEach((op, k) => {
    if (isObject(op)) checkValue(op.value, `${path}[${k}].value`, `${label} blackboard[${k}]`, problems);
  });
}

/** Every `=expression` string inside a JSON value, at its own path. */
function checkValue(value: unknown, path: string, label: string, problems: FlowProblem[], rest: PropertyKey[] = []): void {
  if (typeof value === 'string') {
    if (!isExpression(value)) return;
    const sub = formatPath(rest);
    checkSource(value.slice(1), joinPath(path, sub), sub ? `${label} ${sub}` : label, problems);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkValue(item, path, label, problems, [...rest, i]);
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) checkValue(item, path, label, problems, [...rest, key]);
  }
}

function checkSource(source: string, path: string, label: string, problems: FlowProblem[]): void {
  const error = validateExpression(source, label);
  if (error)
    problems.push(problem(path, 'INVALID_EXPRESSION', `${label}: \`${source}\` is not a valid expression: ${reasonOf(error)}`));
}

function checkTemplate(text: unknown, path: string, label: string, problems: FlowProblem[]): void {
  if (typeof text !== 'string' || !text.includes('{{')) return;
  try {
    compileTemplate(text, label);
  } catch (error) {
    const reason = error instanceof Error ? reasonOf(error as ExpressionError) : String(error);
    problems.push(problem(path, 'INVALID_EXPRESSION', `${label}: invalid template: ${reason}`));
  }
}

/** The reason part of an ExpressionError message (`<where>: expression `x` failed: <reason>`). */
function reasonOf(error: Error): string {
  const marker = error.message.indexOf(' failed: ');
  return marker >= 0 ? error.message.slice(marker + ' failed: '.length) : error.message;
}
