/**
 * The errors an action invocation can end with, built in one place so that the registry and
 * the built-ins agree on codes, messages and `retryable`.
 *
 * | code             | retryable | when                                                    |
 * | ---------------- | --------- | ------------------------------------------------------- |
 * | `UNKNOWN_ACTION` | no        | no action registered under that name                    |
 * | `INPUT_INVALID`  | no        | the input failed the action's zod schema                |
 * | `OUTPUT_INVALID` | no        | the action returned something its output schema refuses |
 * | `TIMEOUT`        | yes       | the step ran longer than its timeout                    |
 * | `CANCELLED`      | no        | the step's signal was aborted (run cancelled/stopped)   |
 */
import type { z } from 'zod';
import { RunloomError } from '../errors.js';

/** One schema problem, with its path rendered the way a person reads it (`input.items[2].sku`). */
export interface IssueInfo {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

/** `['items', 2, 'sku']` under `input` → `input.items[2].sku`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function issuesOf(root: string, error: z.ZodError): IssueInfo[] {
  return error.issues.map((issue) => ({ path: formatPath(root, issue.path), message: issue.message, code: issue.code }));
}

function schemaError(code: string, action: string, root: string, error: z.ZodError): RunloomError {
  const issues = issuesOf(root, error);
  const text = issues.map((i) => `${action} ${i.path}: ${i.message}`).join('; ');
  return new RunloomError(code, text, { retryable: false, details: { action, issues } });
}

/** `crm.lookup input.email: Invalid email address` — one clause per issue, joined by `; `. */
export const inputInvalid = (action: string, error: z.ZodError) => schemaError('INPUT_INVALID', action, 'input', error);

export const outputInvalid = (action: string, error: z.ZodError) => schemaError('OUTPUT_INVALID', action, 'output', error);

export const unknownAction = (action: string) =>
  new RunloomError('UNKNOWN_ACTION', `unknown action '${action}'`, { retryable: false, details: { action } });

export const timedOut = (action: string, ms: number) =>
  new RunloomError('TIMEOUT', `${action} timed out after ${ms}ms`, { retryable: true, details: { action, timeoutMs: ms } });

/** The abort reason is kept as `cause` so the runtime can tell a user cancel from a run stop. */
export const cancelled = (action: string, reason?: unknown) =>
  new RunloomError('CANCELLED', `${action} was cancelled`, {
    retryable: false,
    details: { action },
    ...(reason === undefined ? {} : { cause: reason }),
  });
