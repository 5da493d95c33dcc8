/** `runloom import bpmn <file>` and `runloom export bpmn <flow>`: BPMN 2.0 in and out. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { importBpmn } from '../bpmn/import.js';
import { RequestError } from '../errors.js';

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
export async function importCommand(file: string, out: string | undefined): Promise<number> {
  const { flow, called, warnings } = await importBpmn(readFile(file, 'BPMN file'), { sourceName: file });
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

export function registerBpmnCommands(program: Command): void {
  program
    .command('import')
    .description('import a flow from another format')
    .command('bpmn <file>')
    .description('BPMN 2.0 XML → runloom/v1 YAML (refused elements are listed with id, type and line; exit 2)')
    .option('-o, --out <file>', 'write the flow here (called processes go beside it); default stdout')
    .action(async (file: string, opts: { out?: string }) => {
      process.exitCode = await importCommand(file, opts.out);
    });
}
