/** `runloom validate <file…>`: every problem of every file, with path, code and sentence. */
import { readFileSync } from 'node:fs';
import { builtinActions } from '../actions/builtins/index.js';
import { createActionRegistry } from '../actions/registry.js';
import { signalBroadcastAction } from '../api/signal-broadcast.js';
import { importBpmn } from '../bpmn/import.js';
import { isBpmnSource } from '../bpmn/sources.js';
import type { FlowProblem } from '../errors.js';
import { FlowInvalidError } from '../errors.js';
import type { ValidationResult } from '../flow/index.js';
import { parseFlowText, validateFlow } from '../flow/index.js';
import { siblingFlows } from './flow-files.js';

function withImportWarnings(s: { file: string; imported?: FlowProblem[] }, result: ValidationResult) {
  return { file: s.file, problems: result.problems, warnings: [...(s.imported ?? []), ...result.warnings] };
}

export async function validateFiles(files: readonly string[], json: boolean | undefined): Promise<number> {
  const actions = createActionRegistry([...builtinActions(), signalBroadcastAction()]);
  const sources = await Promise.all(
    files.map(async (file) => {
      let text: string | undefined;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        return { file, problems: [{ path: '', code: 'FILE', message: (error as Error).message }] as FlowProblem[] };
      }
      let raw: unknown;
      let imported: FlowProblem[] = [];
      let called: unknown[] = [];
      try {
        if (isBpmnSource(text)) {
          // BPMN is imported first: refusals name the element and its line.
          const result = await importBpmn(text, { sourceName: file });
          raw = result.flow;
          imported = result.warnings;
          called = result.called;
        } else raw = parseFlowText(text, file);
      } catch (error) {
        if (error instanceof FlowInvalidError) return { file, problems: [...error.problems], raw: undefined };
        throw error;
      }
      return { file, raw, problems: [] as FlowProblem[], imported, called };
    }),
  );
  // Files validated together, and the flows beside them, may be called as subflows.
  const ids = new Set<string>();
  const addId = (raw: unknown) => {
    const id = (raw as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') ids.add(id);
  };
  for (const s of sources) {
    addId(s.raw);
    // Processes a BPMN file calls are imported with it.
    for (const flow of ('called' in s ? s.called : undefined) ?? []) addId(flow);
  }
  for (const file of files) {
    for (const sibling of siblingFlows(file)) {
      try {
        addId(parseFlowText(sibling.source, sibling.sourceName));
      } catch {
        // an unreadable sibling only matters when it is validated itself
      }
    }
  }
  const flows = { has: (id: string) => ids.has(id) };
  const results = sources.map((s) =>
    s.problems.length > 0 ? { ...s, warnings: [] } : withImportWarnings(s, validateFlow(s.raw, { actions, flows })),
  );
  let invalid = 0;
  for (const { file, problems, warnings } of results) {
    if (problems.length > 0) invalid++;
    if (json) {
      process.stdout.write(`${JSON.stringify({ file, valid: problems.length === 0, problems, warnings })}\n`);
    } else if (problems.length === 0) {
      process.stdout.write(`✓ ${file}\n`);
      for (const w of warnings) process.stdout.write(`  ${w.path || '(root)'}: warning [${w.code}] ${w.message}\n`);
    } else {
      process.stdout.write(`✗ ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'})\n`);
      for (const p of problems) process.stdout.write(`  ${p.path || '(root)'}: [${p.code}] ${p.message}\n`);
    }
  }
  return invalid > 0 ? 2 : 0;
}
