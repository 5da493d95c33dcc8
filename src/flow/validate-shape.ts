/**
 * Shape problems: runs the zod schema and turns each issue into a FlowProblem with its own
 * path and code (FORMAT_VERSION, UNKNOWN_FIELD, UNKNOWN_NODE_TYPE, MAP_BODY, INVALID_DURATION,
 * INVALID_CRON, else SCHEMA).
 */
import type { z } from 'zod';
import type { FlowProblem } from '../errors.js';
import { didYouMean, formatPath, type ProblemCode, problem } from './problems.js';
import { FORMAT, flowSchema } from './schema.js';
import { mapBodyKeys, NODE_TYPES_LIST, nodeKeys } from './schema-nodes.js';
import { type FlowView, isObject, labelAt } from './view.js';

export function checkShape(raw: unknown, view: FlowView): { data?: z.infer<typeof flowSchema>; problems: FlowProblem[] } {
  const result = flowSchema.safeParse(raw);
  if (result.success) return { data: result.data, problems: [] };
  const problems: FlowProblem[] = [];
  for (const issue of result.error.issues) problems.push(...toProblems(issue, view));
  return { problems };
}

function toProblems(issue: z.core.$ZodIssue, view: FlowView): FlowProblem[] {
  const segments = issue.path;
  const path = formatPath(segments);
  const label = labelAt(view, segments);
  const where = fieldOf(segments);

  if (segments.length === 1 && segments[0] === 'format') {
    const found = view.raw.format;
    return [
      problem(
        'format',
        'FORMAT_VERSION',
        found === undefined
          ? `the flow has no \`format\`; add \`format: ${FORMAT}\` as its first line`
          : `format ${JSON.stringify(found)} is not supported; this version of Runloom reads \`${FORMAT}\``,
      ),
    ];
  }
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(view, segments);
    return issue.keys
      .filter((key) => !(key === 'boundary' && isNodePath(segments)))
      .map((key) =>
        problem(
          formatPath([...segments, key]),
          'UNKNOWN_FIELD',
          `${label}${where ? ` ${where}` : ''} has an unknown field '${key}'${didYouMean(key, known)}`,
        ),
      );
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'type') {
    const found = valueAt(view.raw, segments);
    if (segments.at(-2) === 'do') {
      return [
        problem(
          path,
          'MAP_BODY',
          `${label}: a map's \`do\` must be a task, ai or subflow node, not ${found === undefined ? 'a node without type' : `'${String(found)}'`}`,
        ),
      ];
    }
    return [
      problem(
        path,
        'UNKNOWN_NODE_TYPE',
        found === undefined
          ? `${label} has no \`type\`; use one of ${NODE_TYPES_LIST}`
          : `${label} has an unknown type '${String(found)}'${didYouMean(String(found), NODE_TYPES_LIST.split(', '))}; use one of ${NODE_TYPES_LIST}`,
      ),
    ];
  }
  const params = 'params' in issue ? (issue.params as { code?: ProblemCode } | undefined) : undefined;
  const code: ProblemCode = params?.code ?? 'SCHEMA';
  return [problem(path, code, `${label}${where ? ` ${where}` : ''}: ${issue.message}`)];
}

/** The field part of a path after `nodes[i]`/`edges[i]` (`retry.maxAttempts`), '' for the node itself. */
function fieldOf(segments: readonly PropertyKey[]): string {
  const rest = segments[0] === 'nodes' || segments[0] === 'edges' ? segments.slice(2) : segments;
  return formatPath(rest);
}

function isNodePath(segments: readonly PropertyKey[]): boolean {
  return segments.length === 2 && segments[0] === 'nodes' && typeof segments[1] === 'number';
}

function valueAt(raw: unknown, segments: readonly PropertyKey[]): unknown {
  let current = raw;
  for (const segment of segments) {
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as string];
  }
  return current;
}

const ROOT_KEYS = [
  'format',
  'id',
  'name',
  'description',
  'inputs',
  'outputs',
  'output',
  'defaults',
  'blackboard',
  'nodes',
  'edges',
];
const EDGE_KEYS = ['from', 'to', 'when', 'default', 'timeout', 'kind', 'name'];
const DEFAULTS_KEYS = ['limits', 'onLimit', 'onBranchFailure', 'strategy', 'retry', 'allowStrategyOverride'];
const LIMIT_KEYS = ['maxSteps', 'maxTime', 'maxCredits', 'maxParallel'];
const RETRY_KEYS = ['maxAttempts', 'backoff', 'initialDelay', 'maxDelay', 'factor'];
const BOUNDARY_KEYS = ['on', 'code', 'after', 'signal', 'to', 'interrupting'];

/** Keys the object at `segments` may have, for "did you mean" hints. */
function knownKeysAt(view: FlowView, segments: readonly PropertyKey[]): readonly string[] {
  const [head, index, field, sub] = segments;
  if (segments.length === 0) return ROOT_KEYS;
  if (head === 'edges') return EDGE_KEYS;
  if (head === 'defaults') return index === 'limits' ? LIMIT_KEYS : index === 'retry' ? RETRY_KEYS : DEFAULTS_KEYS;
  if (head !== 'nodes' || typeof index !== 'number') return [];
  const node = view.nodes[index];
  if (field === undefined) return nodeKeys(node?.type ?? '');
  if (field === 'retry' || (field === 'do' && sub === 'retry')) return RETRY_KEYS;
  if (field === 'boundary') return BOUNDARY_KEYS;
  if (field === 'do') {
    const body = node?.raw.do;
    return mapBodyKeys(isObject(body) && typeof body.type === 'string' ? body.type : '');
  }
  return [];
}
