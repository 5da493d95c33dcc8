/** `runloom import bpmn <file>` and `runloom export bpmn <flow>`: BPMN 2.0 in and out. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { type ExportableFlow, exportBpmn } from '../bpmn/export.js';
import { importBpmn } from '../bpmn/import.js';
import { SCRIPT_ACTION } from '../bpmn/script/action.js';
import { isBpmnSource } from '../bpmn/sources.js';
import { RequestError } from '../errors.js';
import { assertValidFlow, parseFlowText } from '../flow/index.js';
import { type GlobalOptions, openRunloom } from './context.js';
import { resolveTarget } from './run-command.js';

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RequestError('BAD_REQUEST', `cannot read ${what} '${file}': ${(error as Error).message}`, { details: { file } });
  }
}

/**
 * Writes the flow as YAML (to `out`, else stdout); the processes it calls go beside `out`, one
 * file per flow id (to stdout: after `---`). Warnings (what the file says that is not kept) go
 * to stderr.
 */
export async function importCommand(file: string, out: string | undefined, scripts = false): Promise<number> {
  const { flow, called, warnings } = await importBpmn(readFile(file, 'BPMN file'), {
    sourceName: file,
    ...(scripts ? { scriptAction: SCRIPT_ACTION } : {}),
  });
  for (const w of warnings) process.stderr.write(`warning: ${file} ${w.path}: [${w.code}] ${w.message}\n`);
  const yaml = (value: unknown) => YAML.stringify(value, { lineWidth: 0 });
  if (!out) {
    process.stdout.write([flow, ...called].map(yaml).join('---\n'));
    return 0;
  }
  writeFileSync(out, yaml(flow));
  process.stdout.write(`wrote ${out} (flow ${flow.id})\n`);
  for (const extra of called) {
    const path = join(dirname(out), `${extra.id}.yaml`);
    writeFileSync(path, yaml(extra));
    process.stdout.write(`wrote ${path} (flow ${extra.id}, called by ${flow.id})\n`);
  }
  return 0;
}

/**
 * Writes a flow (a runloom/v1 file, or a published flow id[@version]) as BPMN 2.0 XML with its
 * diagram.
 */
export async function exportCommand(target: string, out: string, options: GlobalOptions): Promise<number> {
  const resolved = resolveTarget(target);
  let definition: unknown;
  if ('file' in resolved) {
    const { source, sourceName } = resolved.file;
    const scripts = options.bpmnScripts ? { scriptAction: SCRIPT_ACTION } : {};
    const raw = isBpmnSource(source)
      ? (await importBpmn(source, { sourceName, ...scripts })).flow
      : parseFlowText(source, sourceName);
    definition = assertValidFlow(raw, {}, sourceName);
  } else {
    const runloom = await openRunloom(options, false);
    try {
      definition = (await runloom.flows.get(resolved.flowId, resolved.version)).definition;
    } finally {
      await runloom.close();
    }
  }
  writeFileSync(out, await exportBpmn(definition as ExportableFlow));
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

export function registerBpmnCommands(program: Command): void {
  program
    .command('import')
    .description('import a flow from another format')
    .command('bpmn <file>')
    .description('BPMN 2.0 XML → runloom/v1 YAML (refused elements are listed with id, type and line; exit 2)')
    .option('-o, --out <file>', 'write the flow here (called processes go beside it); default stdout')
    .action(async (file: string, opts: { out?: string }, command: Command) => {
      process.exitCode = await importCommand(file, opts.out, command.optsWithGlobals().bpmnScripts === true);
    });
  program
    .command('export')
    .description('export a flow to another format')
    .command('bpmn <fileOrFlow>')
    .description('runloom/v1 file or published flow id[@version] → BPMN 2.0 XML with a laid-out diagram')
    .requiredOption('-o, --out <file>', 'the .bpmn file to write')
    .action(async (target: string, opts: { out: string }, command: Command) => {
      process.exitCode = await exportCommand(target, opts.out, command.optsWithGlobals());
    });
}
