/** Flow files on disk: a file and the runloom/v1 flows beside it (which it may call as subflows). */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export const FLOW_FILE = /\.(ya?ml|json|bpmn)$/i;
const RUNLOOM_V1 = /format:\s*["']?runloom\/v1|"format"\s*:\s*"runloom\/v1"/;

export interface FlowFile {
  readonly source: string;
  readonly sourceName: string;
}

export function siblingFlows(file: string): FlowFile[] {
  const dir = dirname(file);
  const found: FlowFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!FLOW_FILE.test(name) || resolve(path) === resolve(file) || basename(path) === basename(file)) continue;
    const source = readFileSync(path, 'utf8');
    if (RUNLOOM_V1.test(source)) found.push({ source, sourceName: path });
  }
  return found;
}
