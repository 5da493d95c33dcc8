/**
 * A parsed YAML document to plain data, in one pass over its nodes. `yaml`'s own `toJS` is
 * quadratic in places (`uniqueKeys` compares every key of a map with every other; each alias
 * rescans the document) and counts alias *uses*, refusing a harmless anchor used 101 times
 * while its recursion overflows on deep files. This walk keeps a Set per map for duplicate keys,
 * a Map of anchors in document order, and counts what aliases *add*: the expanded size.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { FlowProblem } from '../errors.js';
import { MAX_ALIAS_EXPANSION, MAX_DEPTH, RESERVED_KEYS, reservedKey, tooDeep } from './parse-limits.js';
import { formatPath, problem } from './problems.js';

/** Raised inside the walk to stop at the first problem; caught by `yamlDocumentValue`. */
class Stop {
  constructor(readonly problem: FlowProblem) {}
}

interface Converted {
  readonly value: unknown;
  /** Nodes in the value once every alias in it is expanded. */
  readonly size: number;
  /** Levels of collections below and including this node. */
  readonly height: number;
}

/**
 * The document's data, or the first problem (duplicate key, reserved key, nesting past
 * `MAX_DEPTH`, aliases expanding past `MAX_ALIAS_EXPANSION`, an alias to its own ancestor),
 * naming its path and line.
 */
export function yamlDocumentValue(document: Document, lines: LineCounter): { value: unknown } | { problem: FlowProblem } {
  const anchors = new Map<string, Node>();
  const done = new Map<Node, Converted>();
  const path: (string | number)[] = [];
  let expansion = 0;

  const at = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return '';
    const { line, col } = lines.linePos(offset);
    return ` (line ${line}, column ${col})`;
  };
  const stop = (code: Parameters<typeof problem>[1], message: string): never => {
    throw new Stop(problem(formatPath(path), code, message));
  };

  const convert = (node: Node | null, depth: number): Converted => {
    if (node === null) return { value: null, size: 1, height: 0 };
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) return stop('PARSE', `invalid YAML: alias *${node.source} names no anchor before it${at(node)}`);
      const resolved = done.get(target);
      if (!resolved) return stop('PARSE', `invalid YAML: alias *${node.source} refers to a node that contains it${at(node)}`);
      expansion += resolved.size;
      if (expansion > MAX_ALIAS_EXPANSION) {
        stop('TOO_LARGE', `aliases expand the document past ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes${at(node)}`);
      }
      if (depth + resolved.height > MAX_DEPTH)
        throw new Stop(tooDeep(path, ` once alias *${node.source} is expanded${at(node)}`));
      return resolved;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    let converted: Converted;
    if (isScalar(node)) {
      converted = { value: node.value, size: 1, height: 0 };
    } else {
      if (depth >= MAX_DEPTH) throw new Stop(tooDeep(path, at(node)));
      converted = isSeq(node)
        ? convertSeq(node.items as (Node | null)[], depth)
        : isMap(node)
          ? convertMap(node, depth)
          : stop('PARSE', `invalid YAML: unsupported node${at(node)}`);
    }
    if (node.anchor) done.set(node, converted);
    return converted;
  };

  const convertSeq = (items: readonly (Node | null)[], depth: number): Converted => {
    const value: unknown[] = [];
    let size = 1;
    let height = 0;
    for (let i = 0; i < items.length; i++) {
      path.push(i);
      const item = convert(items[i], depth + 1);
      path.pop();
      value.push(item.value);
      size += item.size;
      height = Math.max(height, item.height);
    }
    return { value, size, height: height + 1 };
  };

  const convertMap = (node: Node, depth: number): Converted => {
    const value: Record<string, unknown> = {};
    const seen = new Set<string>();
    let size = 1;
    let height = 0;
    for (const pair of (node as unknown as { items: { key: Node | null; value: Node | null }[] }).items) {
      const key = keyOf(pair.key);
      if (seen.has(key)) stop('PARSE', `invalid YAML: map keys must be unique; '${key}' is repeated${at(pair.key)}`);
      seen.add(key);
      path.push(key);
      if (RESERVED_KEYS.has(key)) throw new Stop(reservedKey(formatPath(path), key, at(pair.key)));
      const item = convert(pair.value, depth + 1);
      path.pop();
      value[key] = item.value;
      size += item.size;
      height = Math.max(height, item.height);
    }
    return { value, size, height: height + 1 };
  };

  const keyOf = (key: Node | null): string => {
    if (key === null) return '';
    const resolved = isAlias(key) ? anchors.get(key.source) : key;
    if (resolved && isScalar(resolved)) return resolved.value === null ? '' : String(resolved.value);
    return stop('PARSE', `invalid YAML: a key must be a plain value, not a list or a map${at(key)}`);
  };

  try {
    return { value: convert(document.contents as Node | null, 0).value };
  } catch (error) {
    if (error instanceof Stop) return { problem: error.problem };
    throw error;
  }
}
