/** `runloom run <file|flow>`: publish (when given a file), start, show progress, exit by outcome. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { FlowInvalidError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import { type GlobalOptions, openRunloom } from './context.js';
import { FLOW_FILE, siblingFlows } from './flow-files.js';
import { parseInputPairs, readInputFile } from './inputs.js';
import { watchRun } from './watch.js';

export interface RunOptions extends GlobalOptions {
  readonly input?: string[];
  readonly inputFile?: string;
}

/**
 * Publishes the file and the runloom/v1 flows beside it (so subflows resolve by id). A sibling
 * that does not validate is left out; the file itself must be valid.
 */
export async function publishWithSiblings(runloom: Runloom, file: string): Promise<string> {
  const target = { source: readFileSync(file, 'utf8'), sourceName: file };
  let siblings = siblingFlows(file);
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
  const base = options.inputFile ? readInputFile(options.inputFile) : {};
  const input = parseInputPairs(options.input ?? [], base);
  const isFile = existsSync(target) && statSync(target).isFile() && FLOW_FILE.test(extname(target) ? target : '');
  const runloom = await openRunloom(options, true);
  try {
    let ref: { flowId: string; version?: number };
    if (isFile) {
      ref = { flowId: await publishWithSiblings(runloom, target) };
    } else {
      const [flowId, version] = target.split('@');
      ref = version === undefined ? { flowId } : { flowId, version: Number(version) };
    }
    const run = await runloom.runs.start(ref, input);
    return await watchRun(runloom, run.id, options.json);
  } finally {
    await runloom.close();
  }
}
