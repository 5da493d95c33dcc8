/** `runloom run <file|flow>`: publish (when given a file), start, show progress, exit by outcome. */
import { statSync } from 'node:fs';
import { configBeside } from '../ai/config.js';
import { isBpmnSource } from '../bpmn/sources.js';
import { RequestError } from '../errors.js';
import { parseFlowText, readFlowSource } from '../flow/index.js';
import type { Runloom } from '../runloom.js';
import { durabilityOf, type GlobalOptions, openRunloom } from './context.js';
import { calledSiblings, FLOW_FILE, type FlowFile, flowIdOf, siblingFlows, warningLine } from './flow-files.js';
import { parseInputPairs, readInputFile } from './inputs.js';
import { untilInterrupted } from './interrupt.js';
import { printable } from './printable.js';
import { localRuns } from './runs-client.js';
import { watchRun } from './watch.js';

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
  if (isFile) return { file: { source: readFlowSource(target), sourceName: target } };
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
 * Publishes the file, and the sibling flows it calls as subflows (so they resolve by id). The
 * file wins over a sibling with its flow id; siblings it does not call are not published, and
 * one that cannot be parsed is a warning on stderr.
 */
export async function publishWithSiblings(runloom: Runloom, file: FlowFile): Promise<string> {
  // BPMN XML is imported as it is (its refusals name lines of the file), with the processes it calls.
  if (isBpmnSource(file.source)) return (await runloom.flows.publish(file.source, file.sourceName)).flowId;
  const raw = parseFlowText(file.source, file.sourceName);
  const siblings = siblingFlows(file.sourceName, flowIdOf(raw));
  for (const warning of siblings.warnings) process.stderr.write(`${printable(warningLine(warning))}\n`);
  const called = calledSiblings(raw, siblings).map((s) => ({
    source: s.raw as Record<string, unknown>,
    sourceName: s.sourceName,
  }));
  const [record] = await runloom.flows.publishAll([
    { source: raw as Record<string, unknown>, sourceName: file.sourceName },
    ...called,
  ]);
  return record.flowId;
}

export async function runCommand(target: string, options: RunOptions): Promise<number> {
  // Every argument is checked before the store is opened: bad input writes nothing.
  durabilityOf(options);
  const base = options.inputFile ? readInputFile(options.inputFile) : {};
  const input = parseInputPairs(options.input ?? [], base);
  const resolved = resolveTarget(target);
  const beside = options.config === undefined && 'file' in resolved ? configBeside(resolved.file.sourceName) : undefined;
  // No recovery: this process drives the run it starts (and its children), nobody else's. Runs
  // left running by a crash are taken over by `runloom worker` or `runloom runs resume <id>`.
  const runloom = await openRunloom(
    beside ? { ...options, config: beside } : options,
    false,
    options.queue ? { execute: false } : {},
  );
  try {
    const ref =
      'file' in resolved
        ? { flowId: await publishWithSiblings(runloom, resolved.file) }
        : { flowId: resolved.flowId, ...(resolved.version === undefined ? {} : { version: resolved.version }) };
    const run = await runloom.runs.start(ref, input);
    return await untilInterrupted(runloom, run.id, () => watchRun(localRuns(runloom), run.id, options.json));
  } finally {
    await runloom.close();
  }
}
