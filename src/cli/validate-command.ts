/** `runloom validate <file…>`: every problem of every file, with path, code and sentence. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { builtinActions } from '../actions/builtins/index.js';
import { createActionRegistry } from '../actions/registry.js';
import { CONFIG_FILE, parseConfig } from '../ai/config.js';
import { signalBroadcastAction } from '../api/signal-broadcast.js';
import { importBpmn } from '../bpmn/import.js';
import { SCRIPT_ACTION, ScriptSandbox, scriptAction } from '../bpmn/script/action.js';
import { isBpmnSource } from '../bpmn/sources.js';
import type { FlowProblem } from '../errors.js';
import { FlowInvalidError, RunloomError } from '../errors.js';
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
  /** A runloom.config.yaml (`validate *.yaml` in a folder with one): checked as a config, not a flow. */
  readonly config?: boolean;
}

/** A config file's problems, one per line of its report, as a flow's are. */
function checkConfig(file: string): Checked {
  try {
    parseConfig(readFileSync(file, 'utf8'), file);
    return { file, problems: [], config: true };
  } catch (error) {
    if (!(error instanceof RunloomError)) throw error;
    const listed = (error.details as { problems?: string[] } | undefined)?.problems ?? [error.message];
    const problems = listed.map((line) => {
      const colon = line.indexOf(': ');
      return { path: colon > 0 ? line.slice(0, colon) : '', code: error.code, message: colon > 0 ? line.slice(colon + 2) : line };
    });
    return { file, problems, config: true };
  }
}

async function parseFile(file: string, scripts: boolean): Promise<Checked> {
  if (basename(file) === CONFIG_FILE) return checkConfig(file);
  try {
    const text = readFlowSource(file);
    if (!isBpmnSource(text)) return { file, raw: parseFlowText(text, file), problems: [] };
    // BPMN is imported first: refusals name the element and its line.
    const result = await importBpmn(text, { sourceName: file, ...(scripts ? { scriptAction: SCRIPT_ACTION } : {}) });
    return { file, raw: result.flow, problems: [], imported: result.warnings, called: result.called };
  } catch (error) {
    if (error instanceof FlowInvalidError) return { file, problems: error.problems };
    throw error;
  }
}

export async function validateFiles(files: readonly string[], json: boolean | undefined, scripts = false): Promise<number> {
  const sandbox = scripts ? new ScriptSandbox() : undefined;
  const actions = createActionRegistry([
    ...builtinActions(),
    signalBroadcastAction(),
    ...swarmActions(),
    ...(sandbox ? [scriptAction(sandbox)] : []),
  ]);
  const sources = await Promise.all(files.map((file) => parseFile(file, scripts)));
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
    if (s.problems.length > 0 || s.config) return { file: s.file, problems: s.problems, warnings: [] };
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
