/** Problems found while importing BPMN: every one names the element, its type and its line. */
import type { FlowProblem } from '../errors.js';
import { type BpmnElement, lineOf, tagOf } from './read.js';

export interface Findings {
  readonly text: string;
  readonly problems: FlowProblem[];
  readonly warnings: FlowProblem[];
}

function at(findings: Findings, element: BpmnElement): string {
  const line = lineOf(findings.text, element.id);
  return line > 0 ? `line ${line}` : '';
}

/** `scriptTask 'compute'` — how messages name an element. */
export function label(element: BpmnElement): string {
  return `${tagOf(element)} '${element.id ?? '?'}'`;
}

/** The element cannot be imported; the reason says what to do instead. */
export function refuse(findings: Findings, element: BpmnElement, reason: string): void {
  findings.problems.push({ path: at(findings, element), code: 'BPMN_UNSUPPORTED', message: `${label(element)}: ${reason}` });
}

/** Imported, but something the file says is not kept (it does not change the path of a run). */
export function note(findings: Findings, element: BpmnElement, what: string): void {
  findings.warnings.push({ path: at(findings, element), code: 'BPMN_IGNORED', message: `${label(element)}: ${what}` });
}
