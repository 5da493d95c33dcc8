/**
 * Flow files are JSON or YAML. Parse errors become problems with line and column, thrown as one
 * FlowInvalidError, so `runloom validate` reports them like any other problem. Parsing is linear
 * in the file's size, and the size, the nesting depth and YAML alias expansion are capped
 * (parse-limits.ts), so no file can hang or overflow the process that reads it.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { FlowInvalidError, type FlowProblem } from '../errors.js';
import { MAX_FLOW_FILE_BYTES, tooDeep, tooLarge, valueLimitProblem } from './parse-limits.js';
import { problem } from './problems.js';
import { yamlDocumentValue } from './yaml-value.js';

/**
 * Parses flow text: JSON when `sourceName` ends in `.json`, else YAML 1.2 (a superset of
 * JSON; core schema, so `on: error` stays a key, dates and durations stay strings). Text that
 * starts with `{` is tried as JSON first, which is faster.
 *
 * @example
 * const raw = parseFlowText(await readFile('onboarding.yaml', 'utf8'), 'onboarding.yaml');
 * @throws FlowInvalidError with PARSE, TOO_LARGE, TOO_DEEP or RESERVED_KEY problems.
 */
export function parseFlowText(text: string, sourceName = 'flow'): unknown {
  // UTF-16 length ≤ UTF-8 bytes ≤ 3 × it: the exact count is only needed near the cap.
  if (text.length * 3 > MAX_FLOW_FILE_BYTES) {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_FLOW_FILE_BYTES) throw new FlowInvalidError([tooLarge(bytes)], sourceName);
  }
  if (sourceName.toLowerCase().endsWith('.json')) return checked(parseJson(text, sourceName), sourceName);
  if (text.trimStart().startsWith('{')) {
    // Most likely JSON, but `{ format: runloom/v1, … }` is valid flow-style YAML too.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return parseYaml(text, sourceName);
    }
    return checked(value, sourceName);
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
    checkFileSize(path);
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
  return parseFlowText(text, path);
}

/**
 * A flow file's text; a file over the size cap is refused before it is read.
 *
 * @example
 * const source = readFlowSource('flows/onboarding.yaml');
 * @throws FlowInvalidError naming the file.
 */
export function readFlowSource(path: string): string {
  try {
    checkFileSize(path);
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
}

function checkFileSize(path: string): void {
  const { size } = statSync(path);
  if (size > MAX_FLOW_FILE_BYTES) throw new FlowInvalidError([tooLarge(size)], path);
}

function unreadable(path: string, error: unknown): FlowInvalidError {
  if (error instanceof FlowInvalidError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FlowInvalidError([problem('', 'PARSE', `cannot read ${path}: ${reason}`)], path);
}

function checked(value: unknown, sourceName: string): unknown {
  const found = valueLimitProblem(value);
  if (found) throw new FlowInvalidError([found], sourceName);
  return value;
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

// yaml's composer recurses per level and reports a stack overflow as an ordinary error.
const STACK_OVERFLOW = /^Maximum call stack size exceeded(.*)$/;

function parseYaml(text: string, sourceName: string): unknown {
  const lines = new LineCounter();
  // Duplicate keys are found by yamlDocumentValue in linear time (`uniqueKeys` is quadratic).
  const documents = parseAllDocuments(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: false,
    prettyErrors: true,
    lineCounter: lines,
  });
  if (!Array.isArray(documents)) return null; // an empty file: no document at all
  const problems: FlowProblem[] = [];
  for (const document of documents) {
    for (const error of document.errors) {
      const overflow = STACK_OVERFLOW.exec(firstLine(error.message));
      if (overflow) {
        problems.push(tooDeep([], overflow[1]));
        break; // the composer reports it again at every level it unwinds
      }
      problems.push(problem('', 'PARSE', `invalid YAML: ${firstLine(error.message)}`));
    }
  }
  if (documents.length > 1) {
    problems.push(problem('', 'PARSE', `the file holds ${documents.length} YAML documents; a flow file holds exactly one`));
  }
  if (problems.length > 0) throw new FlowInvalidError(problems, sourceName);
  if (documents.length === 0) return null;
  const converted = yamlDocumentValue(documents[0], lines);
  if ('problem' in converted) throw new FlowInvalidError([converted.problem], sourceName);
  return converted.value;
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
