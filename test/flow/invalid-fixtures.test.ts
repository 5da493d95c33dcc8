/**
 * Every invalid fixture reports exactly the problems listed here (code and path), all at
 * once, and `assertValidFlow` throws them as one FlowInvalidError.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlowInvalidError } from '../../src/errors.js';
import { assertValidFlow, parseFlowText, validateFlow } from '../../src/flow/index.js';
import { fixture, fixtureActions, fixtureFlows } from './support.js';

type Expected = readonly (readonly [code: string, path: string])[];

const CASES: Record<string, Expected> = {
  'format-version.yaml': [['FORMAT_VERSION', 'format']],
  'schema.yaml': [['SCHEMA', 'nodes[1].retry.maxAttempts']],
  'unknown-field.yaml': [['UNKNOWN_FIELD', 'nodes[1].timout']],
  'unknown-node-type.yaml': [['UNKNOWN_NODE_TYPE', 'nodes[1].type']],
  'duplicate-id.yaml': [['DUPLICATE_ID', 'nodes[2].id']],
  'no-start.yaml': [['NO_START', 'nodes']],
  'multiple-start.yaml': [['MULTIPLE_START', 'nodes[1]']],
  'start-has-incoming.yaml': [['START_HAS_INCOMING', 'edges[2].to']],
  'end-has-outgoing.json': [['END_HAS_OUTGOING', 'edges[2].from']],
  'unknown-node.yaml': [
    ['UNKNOWN_NODE', 'edges[2].to'],
    ['UNKNOWN_NODE', 'nodes[1].boundary[0].to'],
  ],
  'unreachable-node.yaml': [['UNREACHABLE_NODE', 'nodes[3]']],
  'dead-end.yaml': [['DEAD_END', 'nodes[2]']],
  'no-path-to-end.yaml': [
    ['NO_PATH_TO_END', 'nodes[1]'],
    ['NO_PATH_TO_END', 'nodes[2]'],
  ],
  'missing-condition.yaml': [['MISSING_CONDITION', 'edges[1]']],
  'multiple-defaults.yaml': [['MULTIPLE_DEFAULTS', 'edges[3].default']],
  'unknown-action.yaml': [
    ['UNKNOWN_ACTION', 'nodes[1].action'],
    ['UNKNOWN_ACTION', 'nodes[2].tools[1]'],
  ],
  'task-target.yaml': [['TASK_TARGET', 'nodes[1]']],
  'invalid-expression.yaml': [
    ['INVALID_EXPRESSION', 'nodes[1].input.customer.email'],
    ['INVALID_EXPRESSION', 'nodes[2].prompt'],
    ['INVALID_EXPRESSION', 'edges[3].when'],
  ],
  'invalid-duration.yaml': [
    ['INVALID_DURATION', 'defaults.limits.maxTime'],
    ['INVALID_DURATION', 'nodes[1].timeout'],
  ],
  'invalid-schema.json': [
    ['INVALID_SCHEMA', 'inputs'],
    ['INVALID_SCHEMA', 'nodes[1].schema'],
  ],
  'invalid-cron.yaml': [['INVALID_CRON', 'nodes[1].cron']],
  'timer-spec.yaml': [['TIMER_SPEC', 'nodes[1]']],
  'join-never-fires.yaml': [['JOIN_NEVER_FIRES', 'nodes[4]']],
  'unknown-subflow.yaml': [
    ['UNKNOWN_SUBFLOW', 'nodes[1].flow'],
    ['UNKNOWN_SUBFLOW', 'nodes[2].flow'],
  ],
  'ai-decision.yaml': [['AI_DECISION_NO_CHOICE', 'nodes[1].mode']],
  'boundary-not-allowed.yaml': [['BOUNDARY_NOT_ALLOWED', 'nodes[1].boundary']],
  'race-target.yaml': [['RACE_TARGET', 'edges[2].to']],
  'timeout-edge-source.yaml': [['TIMEOUT_EDGE_SOURCE', 'edges[2].timeout']],
  'map-body.yaml': [['MAP_BODY', 'nodes[1].do.type']],
  // `output: __proto__` became the prototype of vars; a literal `__proto__` key passed validation
  'reserved-key.yaml': [
    ['RESERVED_KEY', 'nodes[1].input.customer.constructor'],
    ['RESERVED_KEY', 'nodes[1].output'],
    ['RESERVED_KEY', 'nodes[2].output'],
    ['RESERVED_KEY', 'nodes[3].id'],
  ],
  'many-problems.yaml': [
    ['SCHEMA', 'id'],
    ['SCHEMA', 'defaults.limits.maxSteps'],
    ['UNKNOWN_FIELD', 'defaults.limits.maxTme'],
    ['INVALID_DURATION', 'nodes[1].timeout'],
    ['INVALID_CRON', 'nodes[7].cron'],
    ['DUPLICATE_ID', 'nodes[2].id'],
    ['UNKNOWN_NODE', 'edges[4].to'],
    ['UNREACHABLE_NODE', 'nodes[5]'],
    ['DEAD_END', 'nodes[6]'],
    ['DEFAULT_WITH_CONDITION', 'edges[6].when'],
    ['TIMEOUT_EDGE_SOURCE', 'edges[5].timeout'],
    ['UNKNOWN_ACTION', 'nodes[4].action'],
    ['INVALID_EXPRESSION', 'nodes[1].input.email'],
    ['INVALID_SCHEMA', 'nodes[6].schema'],
  ],
};

const load = (name: string) => parseFlowText(readFileSync(fixture(`invalid/${name}`), 'utf8'), name);
const key = ([code, path]: readonly [string, string]) => `${code} @ ${path}`;

describe('invalid flow fixtures', () => {
  it.each(Object.entries(CASES))('%s reports exactly its problems', (name, expected) => {
    const { flow, problems } = validateFlow(load(name), { actions: fixtureActions, flows: fixtureFlows });
    expect(flow).toBeUndefined();
    expect(problems.map((p) => key([p.code, p.path])).sort()).toEqual(expected.map(key).sort());
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
  });

  it('covers every fixture file and at least 18 of them', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(fixture('invalid')).sort();
    expect(files).toEqual(Object.keys(CASES).sort());
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it('assertValidFlow throws every problem in one FlowInvalidError naming the source', () => {
    const error = (() => {
      try {
        assertValidFlow(load('many-problems.yaml'), { actions: fixtureActions }, 'many-problems.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FlowInvalidError);
    const invalid = error as FlowInvalidError;
    expect(invalid.code).toBe('FLOW_INVALID');
    expect(invalid.problems).toHaveLength(CASES['many-problems.yaml'].length);
    expect(invalid.message).toContain('many-problems.yaml: flow is invalid (14 problems)');
    expect(invalid.message).toContain('nodes[4].action: [UNKNOWN_ACTION]');
  });

  it('messages name the offending id and suggest fixes for typos', () => {
    const messages = (name: string) =>
      validateFlow(load(name), { actions: fixtureActions, flows: fixtureFlows }).problems.map((p) => p.message);
    expect(messages('unknown-field.yaml')[0]).toBe("node 'lookup' has an unknown field 'timout' (did you mean 'timeout'?)");
    expect(messages('unknown-node.yaml').join('\n')).toContain("unknown node 'dnoe' (did you mean 'done'?)");
    expect(messages('unknown-node-type.yaml')[0]).toContain("node 'lookup' has an unknown type 'tsak' (did you mean 'task'?)");
    expect(messages('unknown-action.yaml')[0]).toBe("node 'charge' runs action 'billing.chrage', which is not registered");
    expect(messages('ai-decision.yaml')[0]).toBe("node 'route' decides with a model but has fewer than two edges to choose from");
    expect(messages('join-never-fires.yaml')[0]).toMatch(/parallel join node 'join' waits for both .* decision node 'route'/);
    expect(messages('invalid-duration.yaml').join('\n')).toContain('"10 minutes" is not a duration');
  });

  it('checks actions and subflows only when a catalog is given', () => {
    expect(validateFlow(load('unknown-action.yaml')).problems).toEqual([]);
    expect(validateFlow(load('unknown-subflow.yaml')).problems).toEqual([]);
  });

  it('refuses what is not an object', () => {
    for (const raw of [null, 42, 'text', [1]]) {
      const { problems } = validateFlow(raw);
      expect(problems.map((p) => [p.code, p.path])).toEqual([['SCHEMA', '']]);
    }
  });
});
