/**
 * Flow files on disk: the file named on the command line, and the runloom/v1 flows beside it,
 * which only resolve the subflows it calls. The named file always wins over a sibling with the
 * same flow id, and a sibling that cannot be read or parsed is a warning, not a failure: it
 * matters only when the flow calls it, and then publishing says which subflow is missing.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FlowInvalidError } from '../errors.js';
import { parseFlowText, readFlowSource } from '../flow/index.js';

export const FLOW_FILE = /\.(ya?ml|json|bpmn)$/i;
const RUNLOOM_V1 = /format:\s*["']?runloom\/v1|"format"\s*:\s*"runloom\/v1"/;

export interface FlowFile {
  readonly source: string;
  readonly sourceName: string;
}

/** A flow file read and parsed: `raw` is what validation takes. */
export interface ParsedFlowFile {
  readonly sourceName: string;
  readonly raw: unknown;
}

export interface Siblings {
  /** Parsed sibling flows by id (the first file by name for an id, never the named file's id). */
  readonly byId: ReadonlyMap<string, ParsedFlowFile>;
  /** Each sibling left out and why. */
  readonly warnings: readonly SiblingWarning[];
}

export interface SiblingWarning {
  readonly file: string;
  /** A sentence that follows the file's name: `is left out: …`. */
  readonly reason: string;
}

export const flowIdOf = (raw: unknown): string | undefined => {
  const id = (raw as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
};

/** The runloom/v1 flows in `file`'s folder, except `file` itself and any flow with `ownId`. */
export function siblingFlows(file: string, ownId: string | undefined): Siblings {
  const dir = dirname(file);
  const byId = new Map<string, ParsedFlowFile>();
  const warnings: SiblingWarning[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!FLOW_FILE.test(name) || resolve(path) === resolve(file)) continue;
    let raw: unknown;
    try {
      const source = readFlowSource(path);
      if (!RUNLOOM_V1.test(source)) continue;
      raw = parseFlowText(source, path);
    } catch (error) {
      if (!(error instanceof FlowInvalidError)) throw error;
      const first = error.problems[0];
      const reason = first ? `${first.path || '(root)'}: [${first.code}] ${first.message}` : error.message;
      warnings.push({ file: path, reason: `is left out: ${reason}` });
      continue;
    }
    const id = flowIdOf(raw);
    if (id === undefined) continue; // validation of the flows that call it names what is missing
    const winner = id === ownId ? file : byId.get(id)?.sourceName;
    if (winner !== undefined) warnings.push({ file: path, reason: `also defines flow '${id}'; ${winner} is the one used` });
    else byId.set(id, { sourceName: path, raw });
  }
  return { byId, warnings };
}

export const warningLine = (warning: SiblingWarning): string => `warning: ${warning.file} ${warning.reason}`;

/** Ids of the flows a raw flow calls as subflows (`flow: id` or `id@version`, also in map bodies). */
export function subflowIds(raw: unknown): string[] {
  const nodes = (raw as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const ids: string[] = [];
  for (const node of nodes) {
    for (const candidate of [node, (node as { do?: unknown } | null)?.do]) {
      const { type, flow } = (candidate ?? {}) as { type?: unknown; flow?: unknown };
      if (type === 'subflow' && typeof flow === 'string') ids.push(flow.replace(/@[^@]*$/, ''));
    }
  }
  return ids;
}

/** The siblings `raw` calls, directly or through other siblings, in the order they are reached. */
export function calledSiblings(raw: unknown, siblings: Siblings): ParsedFlowFile[] {
  const called: ParsedFlowFile[] = [];
  const seen = new Set<string>();
  const queue = subflowIds(raw);
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const sibling = siblings.byId.get(id);
    if (seen.has(id) || !sibling) continue;
    seen.add(id);
    called.push(sibling);
    queue.push(...subflowIds(sibling.raw));
  }
  return called;
}
