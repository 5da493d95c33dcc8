/**
 * Batch (F4.5): prompts run in sequence, each one's answer given to the next as a variable
 * (`as`, declared by the prompts that read it). Stops at the first item that does not complete,
 * and reports every item: its run, status, output or error, and what was not run.
 */
import { toErrorInfo } from '../errors.js';
import type { PromptRef, PromptsApi, StartOptions } from './prompts-api.js';
import { parsePromptText, validatePrompt } from './template.js';

export interface BatchItem {
  readonly prompt: PromptRef;
  readonly values?: Record<string, unknown>;
  /** The variable the answer is given to the items after this one as (default `previous_output`). */
  readonly as?: string;
}

export interface BatchItemReport {
  readonly index: number;
  readonly status: 'completed' | 'failed' | 'cancelled' | 'skipped';
  readonly runId?: string;
  readonly output?: string;
  readonly credits?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface BatchReport {
  readonly status: 'completed' | 'failed';
  readonly items: readonly BatchItemReport[];
  readonly credits: number;
}

export async function runBatch(
  prompts: PromptsApi,
  items: readonly BatchItem[],
  options: Omit<StartOptions, 'values'>,
): Promise<BatchReport> {
  const reports: BatchItemReport[] = [];
  const carried: Record<string, unknown> = {};
  let failed = false;
  for (const [index, item] of items.entries()) {
    if (failed) {
      reports.push({ index, status: 'skipped' });
      continue;
    }
    let runId: string | undefined;
    try {
      // Only the outputs a prompt declares are given to it: the others would be refused.
      const declared = await declaredOf(prompts, item.prompt, options.workspace);
      const given = Object.fromEntries(Object.entries(carried).filter(([name]) => name in declared));
      const run = await prompts.start(item.prompt, { ...options, values: { ...given, ...item.values } });
      runId = run.id;
      const task = await (await run.send()).done;
      reports.push({
        index,
        status: task.status === 'streaming' ? 'failed' : task.status,
        runId,
        output: task.output ?? '',
        credits: task.credits,
        ...(task.error ? { error: task.error } : {}),
      });
      if (task.status !== 'completed') failed = true;
      else carried[item.as ?? 'previous_output'] = task.output ?? '';
    } catch (error) {
      const { code, message } = toErrorInfo(error);
      reports.push({ index, status: 'failed', ...(runId ? { runId } : {}), error: { code, message } });
      failed = true;
    }
  }
  return {
    status: failed ? 'failed' : 'completed',
    items: reports,
    credits: reports.reduce((sum, r) => sum + (r.credits ?? 0), 0),
  };
}

async function declaredOf(prompts: PromptsApi, ref: BatchItem['prompt'], workspace?: string) {
  if (typeof ref === 'object' && 'source' in ref) {
    return (typeof ref.source === 'string' ? parsePromptText(ref.source) : validatePrompt(ref.source)).variables;
  }
  const { id, version } = typeof ref === 'string' ? { id: ref, version: undefined } : ref;
  const found = await prompts.get(id, version, workspace === undefined ? {} : { workspace });
  return validatePrompt(found.definition).variables;
}
