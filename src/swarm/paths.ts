/**
 * Patch paths: dot-separated keys (`blackboard.leads`, `subtasks.t1.status`, `team.0.model`), the
 * first naming a section of the context. Numeric keys index arrays. Keys that would reach an
 * object's prototype are refused, so a patch can only write data.
 */
import { SECTIONS, type Section } from './context.js';
import { PatchError } from './patch-error.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export interface ParsedPath {
  readonly section: Section;
  /** Keys after the section. */
  readonly rest: readonly string[];
}

export function parsePath(path: unknown, index: number): ParsedPath {
  if (typeof path !== 'string' || path.length === 0) {
    throw new PatchError(index, String(path), 'a path is a non-empty string like "blackboard.leads"');
  }
  const keys = path.split('.');
  const [section, ...rest] = keys;
  if (!(SECTIONS as readonly string[]).includes(section as string)) {
    throw new PatchError(index, path, `a path starts with one of ${SECTIONS.join(', ')}, not '${section}'`);
  }
  for (const key of keys) {
    if (key === '') throw new PatchError(index, path, 'a path has no empty keys (two dots, or a dot at an end)');
    if (FORBIDDEN.has(key)) throw new PatchError(index, path, `'${key}' cannot be a key`);
  }
  return { section: section as Section, rest };
}

/** `*` matches one key, `**` any number of keys (also none): `blackboard.*`, `subtasks.**`. */
export function globMatches(glob: string, path: string): boolean {
  return matchKeys(glob.split('.'), path.split('.'));
}

function matchKeys(glob: readonly string[], keys: readonly string[]): boolean {
  if (glob.length === 0) return keys.length === 0;
  const [head, ...tail] = glob;
  if (head === '**') {
    for (let skip = 0; skip <= keys.length; skip++) if (matchKeys(tail, keys.slice(skip))) return true;
    return false;
  }
  if (keys.length === 0) return false;
  return (head === '*' || head === keys[0]) && matchKeys(tail, keys.slice(1));
}

/** Whether a change at `path` touches what `glob` follows: the path, under it, or above it. */
export function pathTouches(glob: string, path: string): boolean {
  if (globMatches(glob, path) || globMatches(`${glob}.**`, path)) return true;
  // A change above the followed path (`blackboard.leads` set whole) changes it too.
  const globKeys = glob.split('.');
  const keys = path.split('.');
  return keys.length < globKeys.length && matchKeys(globKeys.slice(0, keys.length), keys);
}
