/** `runloom validate <file…>`: every problem of every file, with path, code and sentence. */
import { builtinActions } from '../actions/builtins/index.js';
import { createActionRegistry } from '../actions/registry.js';
import { signalBroadcastAction } from '../api/signal-broadcast.js';
import { importBpmn } from '../bpmn/import.js';
import { isBpmnSource } from '../bpmn/sources.js';
import type { FlowProblem } from '../errors.js';
import { FlowInvalidError } from '../errors.js';
import { parseFlowText, readFlowSource, validateFlow } from '../flow/index.js';
import { swarmActions } from '../swarm/swarm-actions.js';
import { flowIdOf, siblingFlows, warningLine } from './flow-files.js';
import { printable } from './printable.js';

interface Checked {
  readonly file: string;
  readonly raw?: unknown;
  readonly problems: readonly FlowProblem[];
  /** What the BPMN import said of the file without refusing it. */
  readonly imported?: readonly FlowProblem[];
  /** Processes a BPMN file calls, imported with it. */
  readonly called?: readonly unknown[];
}

async function parseFile(file: string): Promise<Checked> {
  try {
    const text = readFlowSource(file);
    if (!isBpmnSource(text)) return { file, raw: parseFlowText(text, file), problems: [] };
    // BPMN is imported first: refusals name the element and its line.
    const result = await importBpmn(text, { sourceName: file });
    return { file, raw: result.flow, problems: [], imported: result.warnings, called: result.called };
  } catch (error) {
    if (error instanceof FlowInvalidError) return { file, problems: error.problems };
    throw error;
  }
}

export async function validateFiles(files: readonly string[], json: boolean | undefined): Promise<number> {
  const actions = createActionRegistry([...builtinActions(), signalBroadcastAction(), ...swarmActions()]);
  const sources = await Promise.all(files.map(parseFile));
  // Files validated together, and the flows beside them, may be called as subflows.
  const ids = new Set<string>();
  for (const s of sources) {
    for (const raw of [s.raw, ...(s.called ?? [])]) {
      const id = flowIdOf(raw);
      if (id !== undefined) ids.add(id);
    }
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
  const results = sources.map((s) => {
    if (s.problems.length > 0) return { file: s.file, problems: s.problems, warnings: [] };
    const result = validateFlow(s.raw, { actions, flows });
    return { file: s.file, problems: result.problems, warnings: [...(s.imported ?? []), ...result.warnings] };
  });
  let invalid = 0;
  for (const { file, problems, warnings } of results) {
    if (problems.length > 0) invalid++;
    if (json) {
      process.stdout.write(`${JSON.stringify({ file, valid: problems.length === 0, problems, warnings })}\n`);
    } else if (problems.length === 0) {
      process.stdout.write(`✓ ${printable(file)}\n`);
      for (const w of warnings) {
        process.stdout.write(`  ${printable(w.path || '(root)')}: warning [${w.code}] ${printable(w.message)}\n`);
      }
    } else {
      process.stdout.write(`✗ ${printable(file)} (${problems.length} problem${problems.length === 1 ? '' : 's'})\n`);
      for (const p of problems) process.stdout.write(`  ${printable(p.path || '(root)')}: [${p.code}] ${printable(p.message)}\n`);
    }
  }
  return invalid > 0 ? 2 : 0;
}
