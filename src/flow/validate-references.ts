/**
 * What a node points at or must name: actions (UNKNOWN_ACTION, when a catalog is given),
 * subflows (UNKNOWN_SUBFLOW, when a flow catalog is given), a task's target (TASK_TARGET:
 * exactly one of `action`/`webhook`), a task's literal input (ACTION_INPUT), a timer's schedule (TIMER_SPEC: exactly one of
 * `duration`/`until`/`cron`).
 */
import type { ActionCatalog } from '../actions/action.js';
import type { FlowProblem } from '../errors.js';
import { isExpression } from '../expr/index.js';
import { problem } from './problems.js';
import { FLOW_REF } from './schema-common.js';
import { checkActionInput } from './validate-action-input.js';
import { type FlowView, isObject, type RawObject } from './view.js';

/** What validation may look up flows in: `has('billing-setup')` = any version exists. */
export interface FlowCatalog {
  has(id: string, version?: number): boolean;
}

export interface ReferenceContext {
  readonly actions?: ActionCatalog;
  readonly flows?: FlowCatalog;
}

export function checkReferences(view: FlowView, ctx: ReferenceContext): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const node of view.nodes) {
    const { raw, path, label } = node;
    if (node.type === 'map' && isObject(raw.do)) checkWork(raw.do, `${path}.do`, `${label} do`, view, ctx, problems);
    else checkWork(raw, path, label, view, ctx, problems);
    if (node.type === 'timer') {
      const given = ['duration', 'until', 'cron'].filter((key) => raw[key] !== undefined);
      if (given.length !== 1) {
        problems.push(
          problem(
            path,
            'TIMER_SPEC',
            given.length === 0
              ? `timer ${label} needs one of \`duration\`, \`until\` or \`cron\``
              : `timer ${label} has ${given.join(' and ')}; give exactly one of \`duration\`, \`until\` or \`cron\``,
          ),
        );
      }
    }
  }
  return problems;
}

function checkWork(
  raw: RawObject,
  path: string,
  label: string,
  view: FlowView,
  ctx: ReferenceContext,
  problems: FlowProblem[],
): void {
  const { actions, flows } = ctx;
  if (raw.type === 'task') {
    const hasAction = raw.action !== undefined;
    const hasWebhook = raw.webhook !== undefined;
    if (hasAction === hasWebhook) {
      problems.push(
        problem(
          path,
          'TASK_TARGET',
          hasAction
            ? `task ${label} has both \`action\` and \`webhook\`; give exactly one`
            : `task ${label} needs an \`action\` (a registered action) or a \`webhook\` (a URL)`,
        ),
      );
    }
    if (typeof raw.action === 'string' && raw.action !== '' && actions) {
      const action = actions.get(raw.action);
      if (action) problems.push(...checkActionInput(action, raw.input, path, label));
      else
        problems.push(
          problem(`${path}.action`, 'UNKNOWN_ACTION', `${label} runs action '${raw.action}', which is not registered`),
        );
    }
    if (typeof raw.webhook === 'string' && !isExpression(raw.webhook) && !isHttpUrl(raw.webhook)) {
      problems.push(problem(`${path}.webhook`, 'SCHEMA', `${label}: webhook "${raw.webhook}" is not an http(s) URL`));
    }
  }
  if (raw.type === 'ai' && typeof raw.action === 'string' && actions && !actions.has(raw.action)) {
    problems.push(problem(`${path}.action`, 'UNKNOWN_ACTION', `${label} runs action '${raw.action}', which is not registered`));
  }
  if (raw.type === 'ai' && Array.isArray(raw.tools) && actions) {
    raw.tools.forEach((tool, k) => {
      if (typeof tool === 'string' && !actions.has(tool)) {
        problems.push(
          problem(`${path}.tools[${k}]`, 'UNKNOWN_ACTION', `${label} offers tool '${tool}', which is not a registered action`),
        );
      }
    });
  }
  if (raw.type === 'subflow' && typeof raw.flow === 'string' && flows) {
    const match = FLOW_REF.exec(raw.flow);
    if (!match) return;
    const [, id, version] = match;
    const self = id === view.raw.id && version === undefined;
    if (!self && !flows.has(id, version === undefined ? undefined : Number(version))) {
      problems.push(
        problem(
          `${path}.flow`,
          'UNKNOWN_SUBFLOW',
          version === undefined
            ? `${label} calls flow '${id}', which does not exist`
            : `${label} calls flow '${id}' version ${version}, which does not exist`,
        ),
      );
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
