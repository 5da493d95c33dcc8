/**
 * Conformance against bpmn-engine on bpmn-elements' own test files (../shared/corpus/bpmn):
 * each file either runs with the same per-activity counts and final status, or is refused on
 * import naming the element — except the differences recorded here, each with its cause
 * (docs/BPMN.md has the table). A new difference, or a file that changes verdict, fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, type Verdict } from './conformance.js';

const CORPUS = new URL('../../../shared/corpus/bpmn/', import.meta.url).pathname;

/** The verdict per file; a `different` names the activities that differ (Runloom vs bpmn-engine). */
const EXPECTED: Record<string, 'same' | 'refused' | string> = {
  // A top-level error end event: the run fails with its code; bpmn-engine completes the process.
  'bound-error.bpmn': 'status failed vs completed, endInError 0 vs 1',
  // bpmn-engine fires the join on the boundary's discarded path; a BPMN parallel join waits for a token per flow.
  'boundary-timeout.bpmn': 'status failed vs completed, end 0 vs 1, join 0 vs 1',
  'bpmn-error.bpmn': 'refused',
  'call-activity.bpmn': 'same',
  'conditional-flows.bpmn': 'same',
  'exclusive-gateway-as-join.bpmn': 'same',
  // Task_B's script reads `this.services`, absent in both; bpmn-engine still fires the join after the failed task and fails at the end.
  'issue-19.bpmn': 'End 0 vs 1, Parallel2 0 vs 1, Task_C 0 vs 1',
  'lanes.bpmn': 'same',
  'loop.bpmn': 'refused',
  'mother-of-all.bpmn': 'refused',
  'multiple-endEvents.bpmn': 'same',
  'parallel-join-edgecase.bpmn': 'refused',
  // As signals: bpmn-engine cannot call the `camunda:expression` service, so its error boundary fires.
  'service-task.bpmn': 'end 1 vs 0, endInVain 0 vs 1, errorEvent 0 vs 1, serviceTask 1 vs 0',
  // bpmn-engine without the Camunda extension cannot call `camunda:expression` services and fails.
  'signals.bpmn': 'status completed vs failed, endTrade 1 vs 0, getSpotPrice 1 vs 0, tradeTask 1 vs 0',
  'simple-task.bpmn': 'same',
  'sub-process.bpmn': 'same',
  // As boundary-timeout: joins reached through a discarded path.
  'succeeding-joins.bpmn': 'status failed vs completed, end 0 vs 1, join1 0 vs 1, join2 0 vs 1',
  'task-multiple-inbound.bpmn': 'refused',
  'task-with-multi-instance-loop.bpmn': 'refused',
  'timer-event.bpmn': 'same',
  'two-executable-processes.bpmn': 'same',
  'wait-activities.bpmn': 'refused',
};

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.bpmn'))
  .sort();

describe('BPMN conformance with bpmn-engine on its corpus', () => {
  it('covers every corpus file', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  const verdicts: [string, Verdict][] = [];
  it.each(files)('%s', { timeout: 30_000 }, async (file) => {
    const verdict = await compare(readFileSync(`${CORPUS}${file}`, 'utf8'), file);
    verdicts.push([file, verdict]);
    const expected = EXPECTED[file];
    if (expected === 'same' || expected === 'refused')
      expect(verdict.kind, 'detail' in verdict ? verdict.detail : '').toBe(expected);
    else expect(verdict).toMatchObject({ kind: 'different', detail: expected });
    // A refusal names the element (its id in quotes) and where it is.
    if (verdict.kind === 'refused') expect(verdict.detail).toMatch(/^(line \d+|nodes\[\d+\]): .*'[^']+'/);
  });

  it('prints the table', () => {
    const rows = verdicts.map(([file, v]) => `| ${file} | ${v.kind} | ${'detail' in v ? v.detail.split('; ')[0] : ''} |`);
    console.log(['| file | verdict | first difference or refusal |', '|---|---|---|', ...rows].join('\n'));
  });
});
