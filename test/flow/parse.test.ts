/** parseFlowText / loadFlowFile: JSON or YAML, errors as PARSE problems with line info. */
import { describe, expect, it } from 'vitest';
import { loadFlowFile, parseFlowText } from '../../src/flow/index.js';
import { problemsOf } from './support.js';

describe('parseFlowText', () => {
  it('parses YAML 1.2: `on` stays a key, dates and durations stay strings', () => {
    const raw = parseFlowText('on: error\nuntil: 2030-01-01\nafter: 1h\nyes: no\n', 'f.yaml');
    expect(raw).toEqual({ on: 'error', until: '2030-01-01', after: '1h', yes: 'no' });
  });

  it('parses JSON by extension or by a leading brace', () => {
    expect(parseFlowText('{"a": 1}', 'f.json')).toEqual({ a: 1 });
    expect(parseFlowText('  {"a": [1, 2]}', 'inline')).toEqual({ a: [1, 2] });
    expect(parseFlowText('{ format: runloom/v1, id: x }', 'inline')).toEqual({ format: 'runloom/v1', id: 'x' });
  });

  it('reports YAML errors with line and column', () => {
    const problems = problemsOf(() => parseFlowText('id: x\nnodes: [\n  - a\n', 'broken.yaml'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ path: '', code: 'PARSE' });
    expect(problems[0].message).toMatch(/invalid YAML: .*line \d+, column \d+/);
  });

  it('reports duplicate keys', () => {
    const problems = problemsOf(() => parseFlowText('id: x\nid: y\n', 'dup.yaml'));
    expect(problems[0].message).toMatch(/unique/i);
  });

  it('reports JSON errors with line and column', () => {
    const problems = problemsOf(() => parseFlowText('{\n  "id": "x",\n  }', 'broken.json'));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^invalid JSON \(line 3, column 3\)/);
  });

  it('refuses several YAML documents in one file', () => {
    const problems = problemsOf(() => parseFlowText('id: a\n---\nid: b\n', 'two.yaml'));
    expect(problems[0].message).toContain('2 YAML documents');
  });

  it('gives null for an empty file (validation then says what is missing)', () => {
    expect(parseFlowText('', 'empty.yaml')).toBeNull();
  });

  it('loadFlowFile names a missing file in a PARSE problem', async () => {
    await expect(loadFlowFile('/nonexistent/flow.yaml')).rejects.toThrow(/cannot read \/nonexistent\/flow\.yaml/);
  });
});
