/** `runloom validate <file…>`: every problem of every file, with path, code and sentence. */
import { builtinActions } from '../actions/builtins/index.js';
import { createActionRegistry } from '../actions/registry.js';
import type { FlowProblem } from '../errors.js';
import { FlowInvalidError } from '../errors.js';
import { parseFlowText, readFlowSource, validateFlow } from '../flow/index.js';
import { flowIdOf, siblingFlows, warningLine } from './flow-files.js';
import { printable } from './printable.js';

interface Checked {
  readonly file: string;
  readonly raw?: unknown;
  readonly problems: readonly FlowProblem[];
}

function parseFile(file: string): Checked {
  try {
    return { file, raw: parseFlowText(readFlowSource(file), file), problems: [] };
  } catch (error) {
    if (error instanceof FlowInvalidError) return { file, problems: error.problems };
    throw error;
  }
}

export function validateFiles(files: readonly string[], json: boolean | undefined): number {
  const actions = createActionRegistry(builtinActions());
  const sources = files.map(parseFile);
  // Files validated together, and the flows beside them, may be called as subflows.
  const ids = new Set<string>();
  for (const s of sources) {
    const id = flowIdOf(s.raw);
    if (id !== undefined) ids.add(id);
  }
  // A sibling only matters to a file that calls it: its problems are a warning here, said once,
  // and not at all for a file validated itself (its own report says it).
  const warned = new Set(files);
  for (const s of sources) {
    const siblings = siblingFlows(s.file, flowIdOf(s.raw));
    for (const id of siblings.byId.keys()) ids.add(id);
    for (const warning of siblings.warnings) {
      if (warned.has(warning.file)) continue;
      warned.add(warning.file);
      process.stderr.write(`${printable(warningLine(warning))}\n`);
    }
  }
  const flows = { has: (id: string) => ids.has(id) };
  const results = sources.map((s) =>
    s.problems.length > 0 ? s : { file: s.file, problems: validateFlow(s.raw, { actions, flows }).problems },
  );
  let invalid = 0;
  for (const { file, problems } of results) {
    if (problems.length > 0) invalid++;
    if (json) {
      process.stdout.write(`${JSON.stringify({ file, valid: problems.length === 0, problems })}\n`);
    } else if (problems.length === 0) {
      process.stdout.write(`✓ ${printable(file)}\n`);
    } else {
      process.stdout.write(`✗ ${printable(file)} (${problems.length} problem${problems.length === 1 ? '' : 's'})\n`);
      for (const p of problems) process.stdout.write(`  ${printable(p.path || '(root)')}: [${p.code}] ${printable(p.message)}\n`);
    }
  }
  return invalid > 0 ? 2 : 0;
}
