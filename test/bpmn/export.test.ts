/**
 * BPMN export: every corpus file Runloom runs goes runloom/v1 → BPMN → runloom/v1 and compiles
 * to the same flow; the XML reads back with bpmn-moddle without a warning and has a diagram
 * shape for every flow node and an edge with waypoints for every sequence flow. Fields BPMN has
 * no place for are refused, naming the node.
 */
import { readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';
import { exportBpmn } from '../../src/bpmn/export.js';
import { importBpmn } from '../../src/bpmn/import.js';
import { SCRIPT_ACTION } from '../../src/bpmn/script/action.js';
import { FlowInvalidError } from '../../src/errors.js';
import { assertValidFlow, compileFlow } from '../../src/flow/index.js';
import { layoutGraph } from '../../src/layout/layout.js';
import { cli, shown, tempDir } from '../cli/helpers.js';
import { plainFlow } from '../support/plain-flow.js';

const CORPUS = new URL('../../../shared/corpus/bpmn/', import.meta.url).pathname;
/** The corpus files that import and validate (docs/BPMN.md). */
const RUNNABLE = [
  'bound-error',
  'boundary-timeout',
  'call-activity',
  'conditional-flows',
  'exclusive-gateway-as-join',
  'issue-19',
  'multiple-endEvents',
  'service-task',
  'signals',
  'simple-task',
  'sub-process',
  'succeeding-joins',
  'timer-event',
];
/** Script tasks import as tasks calling the script runner (and export back as script tasks). */
const SCRIPTS = { scriptAction: SCRIPT_ACTION };

const compiled = (raw: unknown) => compileFlow(assertValidFlow(raw, {}), 1);

type Di = { $type: string; bpmnElement?: { id: string; $type: string }; waypoint?: unknown[] };

describe('BPMN export', () => {
  it.each(RUNNABLE)(
    '%s: runloom/v1 → BPMN → runloom/v1 compiles to the same flow, with a diagram for everything',
    async (name) => {
      const first = await importBpmn(readFileSync(`${CORPUS}${name}.bpmn`, 'utf8'), SCRIPTS);
      const xml = await exportBpmn(first.flow);
      const { rootElement, warnings } = await new BpmnModdle().fromXML(xml);
      expect(warnings).toEqual([]);
      const root = rootElement as unknown as {
        rootElements: { $type: string; flowElements: { id: string; $type: string }[] }[];
        diagrams: { plane: { planeElement: Di[] } }[];
      };
      const process = root.rootElements.find((e) => e.$type === 'bpmn:Process');
      const di = root.diagrams[0].plane.planeElement;
      const drawn = new Set(di.map((d) => d.bpmnElement?.id));
      for (const element of process?.flowElements ?? []) expect(drawn.has(element.id), `${element.id} has no DI`).toBe(true);
      for (const edge of di.filter((d) => d.$type === 'bpmndi:BPMNEdge')) expect(edge.waypoint?.length).toBeGreaterThanOrEqual(2);
      const again = await importBpmn(xml, SCRIPTS);
      expect(plainFlow(compiled(again.flow))).toEqual(plainFlow(compiled(first.flow)));
    },
  );

  it('a hand-written flow with conditions, a map and boundaries reads back the same', async () => {
    const flow = {
      format: 'runloom/v1',
      id: 'orders',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'route', type: 'decision' },
        {
          id: 'each',
          type: 'map',
          items: '=[1..3]',
          concurrency: 1,
          do: { type: 'task', action: 'log', input: { item: '=item' } },
        },
        { id: 'ask', type: 'wait', signal: 'answer', boundary: [{ on: 'timer', after: '1h', to: 'late', interrupting: false }] },
        { id: 'late', type: 'task', action: 'log' },
        { id: 'nap', type: 'timer', duration: '2s' },
        { id: 'done', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'route' },
        { from: 'route', to: 'each', when: 'input.n > 2' },
        { from: 'route', to: 'ask', default: true },
        { from: 'each', to: 'done' },
        { from: 'ask', to: 'nap' },
        { from: 'nap', to: 'done' },
        { from: 'late', to: 'done' },
      ],
    };
    const again = await importBpmn(await exportBpmn(flow));
    // The boundary's target was a task: the event comes back as a pass-through node in front of it.
    expect(again.flow.nodes).toContainEqual({ id: 'ask_boundary_0', type: 'parallel' });
    expect(again.flow.edges).toContainEqual({ from: 'route', to: 'each', when: 'input.n > 2' });
    const byId = new Map((again.flow.nodes as { id: string }[]).map((n) => [n.id, n]));
    expect(byId.get('each')).toMatchObject({ type: 'map', items: '=[1..3]', concurrency: 1 });
    expect(byId.get('nap')).toMatchObject({ type: 'timer', duration: '2000ms' });
    expect(byId.get('ask')).toMatchObject({ type: 'wait', signal: 'answer' });
  });

  it('refuses what BPMN cannot carry, naming every node and field at once', async () => {
    const flow = {
      id: 'x',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'call', type: 'task', action: 'http.request', input: { url: 'http://127.0.0.1' }, retry: { maxAttempts: 3 } },
        { id: 'think', type: 'ai', prompt: 'hi' },
        { id: 'done', type: 'end' },
      ],
      edges: [],
    };
    const error = await exportBpmn(flow).catch((e) => e);
    expect(error).toBeInstanceOf(FlowInvalidError);
    expect((error as FlowInvalidError).problems.map((p) => p.path)).toEqual([
      'nodes.call.retry',
      'nodes.call.input',
      'nodes.think.prompt',
      'nodes.think.type',
    ]);
    expect((error as FlowInvalidError).problems[0].message).toContain("task node 'call'");
  });

  it('the layout gives every node a box and every edge waypoints from one box to the next', async () => {
    const layout = await layoutGraph({
      nodes: [
        { id: 'a', type: 'start' },
        { id: 'b', type: 'task' },
        { id: 'c', type: 'end' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => layout.nodes.get(id));
    expect(a).toMatchObject({ width: 36, height: 36 });
    expect(b).toMatchObject({ width: 100, height: 80 });
    expect(a && b && c && a.x < b.x && b.x < c.x).toBe(true); // left to right
    for (const points of layout.edges) expect(points.length).toBeGreaterThanOrEqual(2);
  });

  it('runloom export bpmn -o writes a file that runloom validate accepts', { timeout: 60_000 }, async () => {
    const tmp = tempDir('runloom-bpmn-export-');
    try {
      const out = tmp.path('timer.bpmn');
      const result = await cli(['export', 'bpmn', `${CORPUS}timer-event.bpmn`, '-o', out]);
      expect(result.code, shown(result)).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('<bpmndi:BPMNShape');
      const valid = await cli(['validate', out]);
      expect(valid.code, shown(valid)).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });
});
