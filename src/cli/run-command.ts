/** `runloom run <file|flow>`: publish (when given a file), start, show progress, exit by outcome. */
import { readFileSync, statSync } from 'node:fs';
import { FlowInvalidError, RequestError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import { durabilityOf, type GlobalOptions, openRunloom } from './context.js';
import { FLOW_FILE, type FlowFile, siblingFlows } from './flow-files.js';
import { parseInputPairs, readInputFile } from './inputs.js';
import { localRuns } from './runs-client.js';
import { isSettled, watchRun } from './watch.js';

export interface RunOptions extends GlobalOptions {
  readonly input?: string[];
  readonly inputFile?: string;
  /** Shared store: the workers run it; this process only starts and follows it. */
  readonly queue?: boolean;
}

/** What `run` was given: a flow file (read now), or a published flow id with an optional version. */
export type RunTarget = { readonly file: FlowFile } | { readonly flowId: string; readonly version?: number };

/**
 * An existing file is a flow file; anything that looks like a path but is not a file is refused
 * here (before the store is opened); else `id` or `id@version` names a published flow.
 */
export function resolveTarget(target: string): RunTarget {
  let isFile = false;
  let isDirectory = false;
  try {
    const stat = statSync(target);
    isFile = stat.isFile();
    isDirectory = stat.isDirectory();
  } catch {
    // not on disk: a flow id, or a missing file (below)
  }
  if (isDirectory) throw new RequestError('BAD_REQUEST', `'${target}' is a directory, not a flow file`);
  if (isFile) {
    try {
      return { file: { source: readFileSync(target, 'utf8'), sourceName: target } };
    } catch (error) {
      throw new RequestError('BAD_REQUEST', `cannot read flow file '${target}': ${(error as Error).message}`);
    }
  }
  if (FLOW_FILE.test(target) || /[/\\]/.test(target)) {
    throw new RequestError('NOT_FOUND', `flow file '${target}' not found (no such file)`, { details: { file: target } });
  }
  const at = target.lastIndexOf('@');
  if (at < 0) return { flowId: target };
  const flowId = target.slice(0, at);
  const version = target.slice(at + 1);
  if (flowId === '' || !/^[1-9][0-9]*$/.test(version)) {
    throw new RequestError('BAD_REQUEST', `'${target}': expected a flow id, or id@version with a version number ≥ 1`);
  }
  return { flowId, version: Number(version) };
}

/**
 * Publishes the file and the runloom/v1 flows beside it (so subflows resolve by id). A sibling
 * that does not validate is left out; the file itself must be valid.
 */
export async function publishWithSiblings(runloom: Runloom, file: string | FlowFile): Promise<string> {
  const target = typeof file === 'string' ? { source: readFileSync(file, 'utf8'), sourceName: file } : file;
  let siblings = siblingFlows(target.sourceName);
  for (;;) {
    try {
      const [record] = await runloom.flows.publishAll([target, ...siblings]);
      return record.flowId;
    } catch (error) {
      if (!(error instanceof FlowInvalidError)) throw error;
      const bad = siblings.find((s) => error.message.startsWith(`${s.sourceName}:`));
      if (!bad) throw error; // the file itself is invalid
      siblings = siblings.filter((s) => s !== bad);
    }
  }
}

export async function runCommand(target: string, options: RunOptions): Promise<number> {
  // Every argument is checked before the store is opened: bad input writes nothing.
  durabilityOf(options);
  const base = options.inputFile ? readInputFile(options.inputFile) : {};
  const input = parseInputPairs(options.input ?? [], base);
  const resolved = resolveTarget(target);
  const runloom = await openRunloom(options, true, options.queue ? { execute: false } : {});
  try {
    const ref =
      'file' in resolved
        ? { flowId: await publishWithSiblings(runloom, resolved.file) }
        : { flowId: resolved.flowId, ...(resolved.version === undefined ? {} : { version: resolved.version }) };
    const run = await runloom.runs.start(ref, input);
    return await watchRun(localRuns(runloom, isSettled), run.id, options.json);
  } finally {
    await runloom.close();
  }
}
