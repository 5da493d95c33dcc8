/**
 * Variables by scope (F4.5), lowest first: the template's defaults < user < workspace <
 * project < the values given to the run < computed values. Resolved afresh for every message
 * from what is stored at that moment, so an edit made between two messages is what the next
 * one uses (the system this replaces sent stale values).
 */
import { RequestError } from '../errors.js';
import type { PromptRecords, ScopedVariableRow, VariableScope } from '../store/prompt-records.js';
import { hasType, type PromptDefinition } from './template.js';

/** Where each value came from, lowest precedence first. */
export const PRECEDENCE = ['default', 'user', 'workspace', 'project', 'given', 'computed'] as const;
export type VariableSource = (typeof PRECEDENCE)[number];

export interface ResolvedVariables {
  readonly values: Record<string, unknown>;
  readonly sources: Record<string, VariableSource>;
}

export interface ResolveContext {
  readonly workspace: string;
  readonly user?: string;
  readonly project?: string;
  readonly given: Record<string, unknown>;
  readonly computed: Record<string, unknown>;
}

/** The computed values of one message. */
export function computedValues(now: number, run: { id: string; promptId: string; promptVersion: number }, index: number) {
  const iso = new Date(now).toISOString();
  return {
    current_date: iso.slice(0, 10),
    current_time: iso.slice(11, 19),
    current_datetime: iso,
    run_id: run.id,
    prompt_id: run.promptId,
    prompt_version: run.promptVersion,
    message_index: index,
  };
}

/**
 * The variables of one message. Stored scopes may hold variables this prompt does not declare
 * (other prompts use them): ignored. A declared variable with a value of the wrong type, or
 * with no value anywhere, is refused naming it and where its value came from.
 */
export async function resolveVariables(
  records: PromptRecords,
  definition: PromptDefinition,
  context: ResolveContext,
): Promise<ResolvedVariables> {
  const declared = definition.variables;
  const [user, workspace, project] = await Promise.all([
    scopeValues(records, context.workspace, 'user', context.user),
    scopeValues(records, context.workspace, 'workspace', ''),
    scopeValues(records, context.workspace, 'project', context.project),
  ]);
  const defaults = Object.fromEntries(
    Object.entries(declared)
      .filter(([, v]) => v.default !== undefined)
      .map(([name, v]) => [name, v.default]),
  );
  const layers: Record<VariableSource, Record<string, unknown>> = {
    default: defaults,
    user,
    workspace,
    project,
    given: context.given,
    computed: context.computed,
  };
  const values: Record<string, unknown> = {};
  const sources: Record<string, VariableSource> = {};
  for (const source of PRECEDENCE) {
    for (const [name, value] of Object.entries(layers[source])) {
      if (source !== 'computed' && !(name in declared)) continue;
      values[name] = value;
      sources[name] = source;
    }
  }
  for (const [name, variable] of Object.entries(declared)) {
    if (!(name in values)) {
      throw new RequestError(
        'VARIABLE_MISSING',
        `variable '${name}' has no value: no default, and not set in the user, workspace or project scope nor given`,
        { details: { variable: name } },
      );
    }
    if (!hasType(values[name], variable.type)) {
      throw new RequestError('VARIABLE_INVALID', `variable '${name}' (from ${sources[name]}) must be a ${variable.type}`, {
        details: { variable: name, source: sources[name] },
      });
    }
  }
  return { values, sources };
}

/** Refuses values given for variables the prompt does not declare, naming each. */
export function checkGiven(definition: PromptDefinition, given: Record<string, unknown>, where = 'values'): void {
  for (const [name, value] of Object.entries(given)) {
    const variable = definition.variables[name];
    if (!variable) {
      const declared = Object.keys(definition.variables).join(', ') || 'none';
      throw new RequestError(
        'VARIABLE_UNKNOWN',
        `${where}.${name}: the prompt declares no variable '${name}' (declared: ${declared})`,
        {
          details: { variable: name },
        },
      );
    }
    if (!hasType(value, variable.type)) {
      throw new RequestError('VARIABLE_INVALID', `${where}.${name} must be a ${variable.type}`, { details: { variable: name } });
    }
  }
}

async function scopeValues(
  records: PromptRecords,
  workspace: string,
  scope: VariableScope,
  owner: string | undefined,
): Promise<Record<string, unknown>> {
  if (owner === undefined) return {};
  const rows: ScopedVariableRow[] = await records.listVariables(workspace, scope, owner);
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}
