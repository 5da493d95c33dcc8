/**
 * Regexes in expressions run on RE2 (re2js, pure JS), whose matching time is linear in the
 * text: JavaScript's backtracking RegExp took 29 s on `$contains("a"×30 & "!", /^(a+)+$/)`,
 * and a native call cannot be stopped by the sandbox's clock, which only ticks between
 * JSONata nodes. JSONata 1.x builds every regex through `jsonata.RegexEngine` (`new
 * RegexEngine(literal)`, then `lastIndex` + `exec()`, as a global RegExp), so `$match`,
 * `$contains`, `$split`, `$replace` and direct calls (`/a/('aaa')`) all go through
 * `LinearRegExp` below.
 *
 * Linear is not bounded: RE2 does work proportional to text length × program size, up to about
 * 110 ns per character and instruction when every thread of its NFA stays alive (`(.*a){20}`).
 * One search is therefore refused up front when that product is over REGEX_WORK_LIMIT, and the
 * sandbox's clock is read after each search (not before: one search is bounded already, and a
 * pause of the host before it must not fail it), so a loop of searches stops at the time budget.
 */
import jsonata from 'jsonata';
import { type Matcher, RE2JS } from 're2js';
import { checkClock, SandboxViolation } from './sandbox-state.js';

/** Characters × RE2 instructions one search may cost: about 0.4 s at RE2's slowest, most far below. */
export const REGEX_WORK_LIMIT = 4_000_000;

const programs = new WeakMap<RegExp, RE2JS>();

/**
 * Compiles a regex literal of an expression for RE2, once (the program is kept with the
 * literal). Returns why it is refused, or undefined. RE2 has no backreferences and no
 * lookaround; those are named here, before re2js' translation (which reads `\k<name>` as `k<name>`).
 */
export function compileRegex(literal: RegExp): string | undefined {
  if (programs.has(literal)) return undefined;
  const unsupported = unsupportedFeature(literal.source);
  if (unsupported !== undefined) {
    return `uses ${unsupported}, which the linear-time regex engine (RE2) does not support: match the parts separately instead`;
  }
  let flags = 0;
  if (literal.ignoreCase) flags |= RE2JS.CASE_INSENSITIVE;
  if (literal.multiline) flags |= RE2JS.MULTILINE;
  try {
    programs.set(literal, RE2JS.compile(RE2JS.translateRegExp(literal.source), flags));
    return undefined;
  } catch (error) {
    return `cannot be compiled by the linear-time regex engine (RE2): ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A backreference or a lookaround outside a character class, named as the user wrote it. */
function unsupportedFeature(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\`\\${next}\`)`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'a named backreference (`\\k<…>`)';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && source[i + 1] === '?') {
      for (const look of ['(?=', '(?!', '(?<=', '(?<!']) {
        if (source.startsWith(look, i)) return `a ${look.includes('<') ? 'lookbehind' : 'lookahead'} (\`${look}…)\`)`;
      }
    }
  }
  return undefined;
}

/**
 * Makes JSONata build regexes with LinearRegExp. `jsonata.RegexEngine` is one global that every
 * `jsonata()` call resets (to RegExp without options), so the sandbox sets it again as each
 * regex node is entered, right before JSONata reads it.
 */
export function installLinearRegex(): void {
  (jsonata as unknown as { RegexEngine: unknown }).RegexEngine = LinearRegExp;
}

interface ExecResult extends Array<string | undefined> {
  index: number;
}

/** The part of a global RegExp that JSONata uses: `lastIndex` and `exec()`, with RE2 underneath. */
export class LinearRegExp {
  lastIndex = 0;
  private readonly program: RE2JS;
  private readonly source: string;
  /** JSONata searches one text repeatedly (`next()`): its matcher is kept. */
  private matcher: Matcher | undefined;
  private text: string | undefined;

  constructor(literal: RegExp) {
    if (compileRegex(literal) !== undefined) throw new SandboxViolation(`the regex /${literal.source}/ is not allowed`);
    this.program = programs.get(literal) as RE2JS;
    this.source = literal.source;
  }

  exec(text: string): ExecResult | null {
    const from = this.lastIndex;
    const work = (text.length - from) * this.program.programSize();
    if (work > REGEX_WORK_LIMIT) {
      throw new SandboxViolation(
        `the regex /${this.source}/ on a text of ${text.length} characters is over the regex budget ` +
          `(${REGEX_WORK_LIMIT} characters × regex size; this one is size ${this.program.programSize()}): shorten the text or the regex`,
      );
    }
    if (this.text !== text || this.matcher === undefined) {
      this.matcher = this.program.matcher(text);
      this.text = text;
    }
    const found = this.matcher.find(from);
    checkClock();
    if (!found) {
      this.lastIndex = 0;
      return null;
    }
    const matcher = this.matcher;
    const result = [] as unknown as ExecResult;
    for (let group = 0; group <= matcher.groupCount(); group++) result.push(matcher.group(group) ?? undefined);
    result.index = matcher.start();
    this.lastIndex = matcher.end();
    return result;
  }
}
