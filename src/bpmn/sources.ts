/**
 * BPMN XML where a flow source is expected (flows.publish, `runloom run file.bpmn`): each BPMN
 * source becomes its flow, and the processes it calls are added after all given sources.
 */
import { type BpmnImportOptions, importBpmn } from './import.js';
import { looksLikeXml } from './read.js';

export interface NamedSource<S> {
  readonly source: S;
  readonly sourceName?: string;
}

/** True when a flow source is BPMN XML rather than runloom/v1 YAML or JSON. */
export function isBpmnSource(source: unknown): source is string {
  return typeof source === 'string' && looksLikeXml(source);
}

/** The sources with every BPMN one imported; its called processes come after all given sources. */
export async function expandBpmnSources<S>(
  sources: readonly NamedSource<S>[],
  options: Pick<BpmnImportOptions, 'scriptAction'> = {},
): Promise<readonly NamedSource<S | Record<string, unknown>>[]> {
  if (!sources.some((s) => isBpmnSource(s.source))) return sources;
  const given: NamedSource<S | Record<string, unknown>>[] = [];
  const called: NamedSource<Record<string, unknown>>[] = [];
  for (const { source, sourceName } of sources) {
    if (!isBpmnSource(source)) {
      given.push({ source, sourceName });
      continue;
    }
    const imported = await importBpmn(source, { ...options, sourceName });
    given.push({ source: imported.flow, sourceName });
    for (const flow of imported.called) called.push({ source: flow, sourceName: `${sourceName ?? 'flow.bpmn'}#${flow.id}` });
  }
  return [...given, ...called];
}
