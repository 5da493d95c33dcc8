/** Shape rules of runloom/v1 that the fixtures do not show one by one. */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../src/flow/index.js';

type Raw = Record<string, unknown>;
const around = (node: Raw & { id: string }, extra: Raw = {}) => ({
  format: 'runloom/v1',
  id: 'one',
  nodes: [{ id: 'start', type: 'start' }, node, { id: 'done', type: 'end' }],
  edges: [
    { from: 'start', to: node.id },
    { from: node.id, to: 'done' },
  ] as Raw[],
  ...extra,
});
const codes = (raw: unknown) => validateFlow(raw).problems.map((p) => `${p.code} @ ${p.path}`);

describe('runloom/v1 shape', () => {
  it('lets ai and ux nodes carry extra fields, but not tasks', () => {
    expect(codes(around({ id: 'x', type: 'ai', prompt: 'hi', temperature: 0.2 }))).toEqual([]);
    expect(codes(around({ id: 'x', type: 'ux', screen: 'welcome' }))).toEqual([]);
    expect(codes(around({ id: 'x', type: 'task', action: 'log', temperature: 0.2 }))).toEqual([
      'UNKNOWN_FIELD @ nodes[1].temperature',
    ]);
  });

  it('still checks the known fields of ai nodes', () => {
    expect(codes(around({ id: 'x', type: 'ai', strategy: 'magic' }))).toEqual(['SCHEMA @ nodes[1].strategy']);
  });

  it('refuses a missing format', () => {
    const raw = around({ id: 'x', type: 'task', action: 'log' });
    const { format: _, ...rest } = raw;
    const { problems } = validateFlow(rest);
    expect(problems).toEqual([
      { path: 'format', code: 'FORMAT_VERSION', message: 'the flow has no `format`; add `format: runloom/v1` as its first line' },
    ]);
  });

  it('flags unknown fields on edges, boundaries and the flow itself', () => {
    const raw = around(
      { id: 'x', type: 'task', action: 'log', boundary: [{ on: 'error', to: 'done', code: 'E', after: '1s' }] },
      { versoin: 2 },
    );
    raw.edges[0].defualt = true;
    expect(codes(raw).sort()).toEqual(
      ['UNKNOWN_FIELD @ edges[0].defualt', 'UNKNOWN_FIELD @ nodes[1].boundary[0].after', 'UNKNOWN_FIELD @ versoin'].sort(),
    );
  });

  it('keeps error boundaries interrupting', () => {
    const raw = around({ id: 'x', type: 'task', action: 'log', boundary: [{ on: 'error', to: 'done', interrupting: false }] });
    const { problems } = validateFlow(raw);
    expect(problems.map((p) => `${p.code} @ ${p.path}`)).toEqual(['SCHEMA @ nodes[1].boundary[0].interrupting']);
    expect(problems[0].message).toContain('error boundaries are always interrupting');
  });

  it('requires timer boundaries to say when and signal boundaries which signal', () => {
    const raw = around({
      id: 'x',
      type: 'wait',
      boundary: [
        { on: 'timer', to: 'done' },
        { on: 'signal', to: 'done' },
      ],
    });
    expect(codes(raw)).toEqual(['SCHEMA @ nodes[1].boundary[0].after', 'SCHEMA @ nodes[1].boundary[1].signal']);
  });

  it('refuses boundaries on ux nodes although they take extra fields', () => {
    expect(codes(around({ id: 'x', type: 'ux', boundary: [] }))).toEqual(['BOUNDARY_NOT_ALLOWED @ nodes[1].boundary']);
  });

  it('checks ids, subflow references, output paths and webhooks', () => {
    expect(codes(around({ id: 'has space', type: 'task', action: 'log' }))).toContain('SCHEMA @ nodes[1].id');
    expect(codes(around({ id: 'x', type: 'subflow', flow: 'Billing@0' }))).toEqual(['SCHEMA @ nodes[1].flow']);
    expect(codes(around({ id: 'x', type: 'task', action: 'log', output: 'a..b' }))).toEqual(['SCHEMA @ nodes[1].output']);
    expect(codes(around({ id: 'x', type: 'task', webhook: 'ftp://x' }))).toEqual(['SCHEMA @ nodes[1].webhook']);
    expect(codes(around({ id: 'x', type: 'task', webhook: '=env.HOOK_URL' }))).toEqual([]);
    expect(codes(around({ id: 'x', type: 'task', action: 'log', webhook: 'https://x' }))).toEqual(['TASK_TARGET @ nodes[1]']);
  });

  it('checks map items, literal until dates and conditions written with a leading =', () => {
    expect(codes(around({ id: 'x', type: 'map', items: 'vars.list', do: { type: 'task', action: 'log' } }))).toEqual([
      'INVALID_EXPRESSION @ nodes[1].items',
    ]);
    expect(codes(around({ id: 'x', type: 'map', items: '=vars.list', do: { id: 'y', type: 'task', action: 'log' } }))).toEqual([
      'UNKNOWN_FIELD @ nodes[1].do.id',
    ]);
    expect(codes(around({ id: 'x', type: 'timer', until: 'next tuesday' }))).toEqual(['INVALID_DATE @ nodes[1].until']);
    const raw = around({ id: 'x', type: 'task', action: 'log' });
    raw.edges[1].when = '=vars.ok';
    expect(codes(raw)).toEqual(['INVALID_EXPRESSION @ edges[1].when']);
  });

  it('checks every =expression inside nested inputs, blackboard ops and the flow output', () => {
    const raw = around(
      {
        id: 'x',
        type: 'task',
        action: 'log',
        input: { a: ['ok', { b: '=vars.(' }], c: '==literal (' },
        blackboard: [{ op: 'append', path: 'leads', value: '=(' }],
      },
      { output: { total: '=$sum(' } },
    );
    expect(codes(raw)).toEqual([
      'INVALID_EXPRESSION @ output.total',
      'INVALID_EXPRESSION @ nodes[1].input.a[1].b',
      'INVALID_EXPRESSION @ nodes[1].blackboard[0].value',
    ]);
  });

  it('accepts an unconditional single edge out of a decision, and manual decisions without conditions', () => {
    expect(codes(around({ id: 'x', type: 'decision' }))).toEqual([]);
    expect(codes(around({ id: 'x', type: 'decision', mode: 'manual' }))).toEqual([]);
  });

  it('accepts an all-conditional inclusive split, with a warning (BPMN allows it)', () => {
    const raw = around({ id: 'x', type: 'inclusive' });
    raw.edges[1] = { from: 'x', to: 'done', when: 'vars.a' };
    raw.edges.push({ from: 'x', to: 'done', when: 'vars.b' });
    const { flow, problems, warnings } = validateFlow(raw);
    expect(problems).toEqual([]);
    expect(flow).toBeDefined();
    expect(warnings.map((p) => `${p.code} @ ${p.path}`)).toEqual(['DECISION_WITHOUT_DEFAULT @ nodes[1]']);
    expect(warnings[0].message).toContain('NO_PATH');
  });

  it('refuses two timeout edges from one wait', () => {
    const raw = around({ id: 'x', type: 'wait', signal: 's', timeout: '1h' });
    raw.edges.push({ from: 'x', to: 'done', timeout: true }, { from: 'x', to: 'done', timeout: true });
    expect(codes(raw)).toEqual(['MULTIPLE_TIMEOUT_EDGES @ edges[3].timeout']);
  });
});
