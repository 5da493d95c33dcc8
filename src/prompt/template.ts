/**
 * Prompt templates (F4.5): the `runloom/prompt-v1` file — a system and a message template with
 * `{{ expression }}` holes over `vars`, typed variables with defaults, the model and its
 * settings, an optional `outputSchema`. Validated with every problem at once (a shape problem,
 * a bad expression, a variable no one declares), compiled once per version.
 */
import { z } from 'zod';
import { FlowInvalidError, type FlowProblem, RunloomError } from '../errors.js';
import type { AstNode } from '../expr/ast.js';
import { parse } from '../expr/ast.js';
import { type CompiledTemplate, compileTemplate, validateExpression } from '../expr/index.js';
import type { SchemaCheck } from '../flow/compiled.js';
import { compileSchemaCheck, schemaProblem } from '../flow/json-schema.js';
import { parseFlowText } from '../flow/parse.js';
import { didYouMean } from '../flow/problems.js';

export const PROMPT_FORMAT = 'runloom/prompt-v1';

/** Values Runloom computes for every message; a template may not declare these names. */
export const COMPUTED_VARIABLES: ReadonlySet<string> = new Set([
  'current_date',
  'current_time',
  'current_datetime',
  'run_id',
  'prompt_id',
  'prompt_version',
  'message_index',
]);

const VariableType = z.enum(['string', 'number', 'boolean', 'object', 'array']);
export type VariableType = z.infer<typeof VariableType>;

const Variable = z.strictObject({
  type: VariableType,
  description: z.string().optional(),
  default: z.unknown().optional(),
});

const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, _ . - (up to 128), starting with a letter or digit');

const PromptFile = z.strictObject({
  format: z.literal(PROMPT_FORMAT),
  id: Id,
  name: z.string().optional(),
  description: z.string().optional(),
  model: z.string().min(1).default('default'),
  settings: z
    .strictObject({
      temperature: z.number().min(0).max(2).optional(),
      topP: z.number().min(0).max(1).optional(),
      maxOutputTokens: z.number().int().positive().optional(),
    })
    .default({}),
  variables: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _'), Variable)
    .default({}),
  system: z.string().optional(),
  /** The first message; absent for a chat prompt, whose messages are the user's. */
  message: z.string().min(1).optional(),
  outputSchema: z.record(z.string(), z.unknown()).optional(),
});

export type PromptDefinition = z.infer<typeof PromptFile>;

/** A prompt file that failed validation: every problem, each with where it stands. */
export class PromptInvalidError extends RunloomError {
  readonly problems: readonly FlowProblem[];
  constructor(problems: readonly FlowProblem[], source = 'prompt') {
    const lines = problems.map((p) => `  ${p.path || '(root)'}: [${p.code}] ${p.message}`).join('\n');
    super(
      'PROMPT_INVALID',
      `${source}: prompt is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${lines}`,
      {
        details: { problems },
      },
    );
    this.problems = problems;
  }
}

export interface CompiledPrompt {
  readonly definition: PromptDefinition;
  readonly system?: CompiledTemplate;
  readonly message?: CompiledTemplate;
  readonly check?: SchemaCheck;
}

/** Parses prompt text (YAML or JSON, by `sourceName`'s extension or content) into a definition. */
export function parsePromptText(text: string, sourceName = 'prompt'): PromptDefinition {
  let raw: unknown;
  try {
    raw = parseFlowText(text, sourceName);
  } catch (error) {
    if (error instanceof FlowInvalidError) throw new PromptInvalidError(error.problems, sourceName);
    throw error;
  }
  return validatePrompt(raw, sourceName);
}

/** Validates a parsed prompt file, reporting every problem at once. */
export function validatePrompt(raw: unknown, sourceName = 'prompt'): PromptDefinition {
  const parsed = PromptFile.safeParse(raw);
  if (!parsed.success) {
    throw new PromptInvalidError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), code: 'SCHEMA', message: issue.message })),
      sourceName,
    );
  }
  const definition = parsed.data;
  const problems: FlowProblem[] = [];
  for (const [name, variable] of Object.entries(definition.variables)) {
    if (COMPUTED_VARIABLES.has(name)) {
      problems.push({
        path: `variables.${name}`,
        code: 'RESERVED',
        message: `'${name}' is computed by Runloom; pick another name`,
      });
    }
    if (variable.default !== undefined && !hasType(variable.default, variable.type)) {
      problems.push({ path: `variables.${name}.default`, code: 'TYPE', message: `the default is not a ${variable.type}` });
    }
  }
  const known = new Set([...Object.keys(definition.variables), ...COMPUTED_VARIABLES]);
  for (const field of ['system', 'message'] as const) {
    const text = definition[field];
    if (text !== undefined) problems.push(...templateProblems(text, field, known));
  }
  if (definition.outputSchema) {
    const why = schemaProblem(definition.outputSchema);
    if (why) problems.push({ path: 'outputSchema', code: 'SCHEMA', message: why });
  }
  if (problems.length > 0) throw new PromptInvalidError(problems, sourceName);
  return definition;
}

export function compilePrompt(definition: PromptDefinition): CompiledPrompt {
  return {
    definition,
    ...(definition.system === undefined ? {} : { system: compileTemplate(definition.system, 'system') }),
    ...(definition.message === undefined ? {} : { message: compileTemplate(definition.message, 'message') }),
    ...(definition.outputSchema ? { check: compileSchemaCheck(definition.outputSchema) } : {}),
  };
}

export function hasType(value: unknown, type: VariableType): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

/** Bad expressions, and variables (`vars.x`) the prompt does not declare, in one template. */
function templateProblems(text: string, field: string, known: ReadonlySet<string>): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const source of holes(text)) {
    const bad = validateExpression(source, field);
    if (bad) {
      problems.push({ path: field, code: 'EXPRESSION', message: bad.message });
      continue;
    }
    const { read, bare } = variablesOf(parse(source, field).ast);
    for (const name of bare) {
      problems.push({
        path: field,
        code: 'UNKNOWN_VARIABLE',
        message: `\`{{ ${source} }}\` reads '${name}', which is nothing: variables are read as vars.${name}`,
      });
    }
    for (const name of read) {
      if (!known.has(name)) {
        problems.push({
          path: field,
          code: 'UNKNOWN_VARIABLE',
          message: `\`{{ ${source} }}\` uses variable '${name}', which is not declared under variables${didYouMean(name, known)}`,
        });
      }
    }
  }
  if (text.includes('{{') && problems.length === 0) {
    try {
      compileTemplate(text, field);
    } catch (error) {
      problems.push({ path: field, code: 'EXPRESSION', message: error instanceof Error ? error.message : String(error) });
    }
  }
  return problems;
}

/** The expressions of a template's holes (each ends at the first `}}` after which it parses). */
function holes(text: string): string[] {
  const found: string[] = [];
  let at = 0;
  for (let open = text.indexOf('{{'); open !== -1; open = text.indexOf('{{', at)) {
    let close = text.indexOf('}}', open + 2);
    while (close !== -1 && validateExpression(text.slice(open + 2, close).trim(), 'hole') !== undefined) {
      const next = text.indexOf('}}', close + 1);
      if (next === -1) break;
      close = next;
    }
    if (close === -1) break;
    found.push(text.slice(open + 2, close).trim());
    at = close + 2;
  }
  return found;
}

/**
 * Names read as `vars.<name>` anywhere in an expression, and top-level bare names (`{{ name }}`,
 * which would read nothing). Paths inside filters are relative to their context: not variables.
 */
function variablesOf(ast: AstNode): { read: string[]; bare: string[] } {
  const read: string[] = [];
  const bare: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as AstNode;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const [first, second] = n.steps as AstNode[];
      if (first?.type === 'name' && first.value === 'vars') {
        if (second?.type === 'name' && typeof second.value === 'string') read.push(second.value);
      } else if (first?.type === 'name' && typeof first.value === 'string') {
        bare.push(first.value);
      }
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'stages' && key !== 'predicate') visit(value);
  };
  visit(ast);
  return { read, bare };
}
