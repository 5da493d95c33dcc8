/**
 * Flow files are JSON or YAML. Parse errors become PARSE problems with line and column, thrown
 * as one FlowInvalidError, so `runloom validate` reports them like any other problem.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { FlowInvalidError, type FlowProblem } from '../errors.js';
import { problem } from './problems.js';

/**
 * Parses flow text: JSON when `sourceName` ends in `.json`, else YAML 1.2 (a superset of
 * JSON; core schema, so `on: error` stays a key, dates and durations stay strings). Text that
 * starts with `{` is tried as JSON first, which is faster.
 *
 * @example
 * const raw = parseFlowText(await readFile('onboarding.yaml', 'utf8'), 'onboarding.yaml');
 * @throws FlowInvalidError with PARSE problems.
 */
export function parseFlowText(text: string, sourceName = 'flow'): unknown {
  if (sourceName.toLowerCase().endsWith('.json')) return parseJson(text, sourceName);
  if (text.trimStart().startsWith('{')) {
    // Most likely JSON, but `{ format: runloom/v1, … }` is valid flow-style YAML too.
    try {
      return JSON.parse(text);
    } catch {
      return parseYaml(text, sourceName);
    }
  }
  return parseYaml(text, sourceName);
}

/**
 * Reads and parses a flow file (see `parseFlowText`); the path names the source in errors.
 *
 * @example
 * const compiled = loadFlow(await loadFlowFile('flows/onboarding.yaml'), { actions });
 */
export async function loadFlowFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlowInvalidError([problem('', 'PARSE', `cannot read ${path}: ${reason}`)], path);
  }
  return parseFlowText(text, path);
}

function parseJson(text: string, sourceName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const where = at ? ` (${lineAndColumn(text, Number(at[1]))})` : '';
    throw new FlowInvalidError([problem('', 'PARSE', `invalid JSON${where}: ${message}`)], sourceName);
  }
}

function parseYaml(text: string, sourceName: string): unknown {
  const documents = parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true });
  if (!Array.isArray(documents)) return null; // an empty file: no document at all
  const problems: FlowProblem[] = [];
  for (const document of documents) {
    for (const error of document.errors) problems.push(problem('', 'PARSE', `invalid YAML: ${firstLine(error.message)}`));
  }
  if (documents.length > 1) {
    problems.push(problem('', 'PARSE', `the file holds ${documents.length} YAML documents; a flow file holds exactly one`));
  }
  if (problems.length > 0) throw new FlowInvalidError(problems, sourceName);
  return documents.length === 0 ? null : documents[0].toJS({ maxAliasCount: 100 });
}

/** yaml's pretty messages end with a code excerpt; keep the sentence with its line and column. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/:$/, '');
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
