/**
 * BPMN expressions and timer definitions as Runloom writes them.
 *
 * Conditions: `${…}` over process variables, with paths, literals, comparisons, `!`, `&&`, `||`
 * (the subset diagrams use: `${environment.variables.amount > 100}`, `${approved}`). A process
 * variable is read from the run's `vars`, else from the run input (the variables a run starts
 * with). A condition whose `language` is JSONata is taken as it is. Anything else (JavaScript)
 * is refused: a flow file never runs code of its own.
 *
 * Timers: ISO 8601 durations (`PT0.05S`, `P1DT2H`), dates and repeating cycles (`R3/PT10S`:
 * the first interval, which is when a catching event fires) or cron text.
 */

/** Why a condition cannot be mapped, or its JSONata text. */
export type Mapped = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)|(===|!==|==|!=|>=|<=|&&|\|\||[<>!()]))/y;
const OPERATORS: Readonly<Record<string, string>> = {
  '===': '=',
  '==': '=',
  '!==': '!=',
  '!=': '!=',
  '>=': '>=',
  '<=': '<=',
  '>': '>',
  '<': '<',
  '&&': 'and',
  '||': 'or',
  '(': '(',
  ')': ')',
};
/** Prefixes bpmn-engine puts before a variable name; all name the same process variables. */
const VARIABLE_PREFIXES = ['environment.variables.', 'environment.output.', 'variables.', 'output.'];

/** JSONata reading a process variable: the run's vars, else its input. */
export function variableRead(path: string): string {
  return `($exists(vars.${path}) ? vars.${path} : input.${path})`;
}

function mapPath(path: string): string | undefined {
  if (path === 'true' || path === 'false' || path === 'null') return path;
  for (const prefix of VARIABLE_PREFIXES) if (path.startsWith(prefix)) return variableRead(path.slice(prefix.length));
  if (/^(environment|content|services|this|next)\b/.test(path)) return undefined;
  return variableRead(path);
}

/**
 * A JavaScript condition that only reads process variables, as an `${…}` body: bpmn-engine's
 * forms `next(null, <expr>);` and a bare `<expr>`, reading `environment.variables.x` or
 * `environment.output.x` (`this.` before them is the same scope). Anything else stays
 * JavaScript, which a condition never runs; the reason says why.
 */
function javascriptCondition(text: string): Mapped {
  const body = (/^next\(\s*null\s*,([\s\S]*)\)\s*;?$/.exec(text)?.[1] ?? text.replace(/;\s*$/, '')).trim();
  const code = `a JavaScript condition runs code; write it as \${…} over variables, or as JSONata (language="JSONata")`;
  // Statements, functions and calls are code; what is left is reads, literals and operators.
  if (body === '' || /[;{}=]>?|\bfunction\b|\bnew\b|[\w$)\]]\s*\(/.test(body.replace(/[=!<>]=+|&&|\|\||[<>!]/g, ' # ')))
    return { ok: false, reason: code };
  const plain = body.replace(/\bthis\.environment\./g, 'environment.');
  const strings = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g;
  const reads = plain.replace(strings, "''").match(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/g) ?? [];
  const outside = reads.find((path) => !/^(true|false|null)$|^environment\.(variables|output)\./.test(path));
  if (outside)
    return {
      ok: false,
      reason: `this JavaScript condition reads \`${outside}\`, which is not in a script's scope (bpmn-engine fails on it); read environment.variables.<name>`,
    };
  return { ok: true, value: plain };
}

/** A `${…}` condition (or a JSONata one) as a JSONata `when`. */
export function mapCondition(body: string, language: string | undefined): Mapped {
  const text = body.trim();
  if (language && /^jsonata$/i.test(language)) return { ok: true, value: text };
  if (language && /^(javascript|js|ecmascript)$/i.test(language)) {
    const translated = javascriptCondition(text);
    return translated.ok ? mapCondition(`\${${translated.value}}`, undefined) : translated;
  }
  if (language && !/^(juel|uel|el|jsonata)?$/i.test(language))
    return {
      ok: false,
      reason: `a ${language} condition runs code; write it as \${…} over variables, or as JSONata (language="JSONata")`,
    };
  const match = /^\$\{([\s\S]*)\}$/.exec(text);
  if (!match) return { ok: false, reason: `condition "${text}" is not an \${…} expression` };
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  const source = match[1].trim();
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    const token = TOKEN.exec(source);
    if (!token || token.index !== start)
      return { ok: false, reason: `condition "${text}": only variables, literals, comparisons, !, && and || are understood` };
    const [, number, string, path, operator] = token;
    if (number !== undefined) out.push(number);
    else if (string !== undefined) out.push(JSON.stringify(string.slice(1, -1)));
    else if (path !== undefined) {
      const read = mapPath(path);
      if (read === undefined) return { ok: false, reason: `condition "${text}": \`${path}\` is not a process variable` };
      out.push(read);
    } else if (operator === '!') out.push('!');
    else out.push(OPERATORS[operator]);
  }
  if (out.length === 0) return { ok: false, reason: `condition "${text}" is empty` };
  // `!x` as a conditional, so that a missing variable counts as false (JSONata's $not(undefined) is undefined).
  // Only a single operand after `!` is allowed.
  const joined: string[] = [];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '!') {
      const operand = out[i + 1];
      if (operand === undefined || operand === '!' || operand === '(' || Object.values(OPERATORS).includes(operand))
        return { ok: false, reason: `condition "${text}": \`!\` applies to one variable or literal here` };
      joined.push(`(${operand} ? false : true)`);
      i++;
    } else joined.push(out[i]);
  }
  return { ok: true, value: joined.join(' ') };
}

const ISO_DURATION =
  /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO 8601 duration; years and months are refused (their length varies). */
export function isoDurationMs(text: string): Mapped {
  const match = ISO_DURATION.exec(text.trim());
  if (!match) return { ok: false, reason: `"${text}" is not an ISO 8601 duration (like PT30S or P1DT2H)` };
  const [, years, months, weeks, days, hours, minutes, seconds] = match;
  if (years || months) return { ok: false, reason: `"${text}": years and months have no fixed length; use weeks, days or hours` };
  const n = (v: string | undefined) => (v ? Number(v) : 0);
  const ms = Math.round(
    n(weeks) * 604_800_000 + n(days) * 86_400_000 + n(hours) * 3_600_000 + n(minutes) * 60_000 + n(seconds) * 1000,
  );
  return { ok: true, value: `${ms}ms` };
}

/** What a BPMN timer definition becomes on a timer node. */
export type TimerSpec =
  | { readonly duration: string }
  | { readonly until: string }
  | { readonly cron: string }
  | { readonly problem: string };

export function timerSpec(kind: 'timeDuration' | 'timeDate' | 'timeCycle', body: string | undefined): TimerSpec {
  const text = (body ?? '').trim();
  if (text === '') return { problem: `its ${kind} is empty` };
  if (text.includes('${')) return { problem: `its ${kind} "${text}" is an expression; write the value itself` };
  if (kind === 'timeDuration') {
    const ms = isoDurationMs(text);
    return ms.ok ? { duration: ms.value } : { problem: ms.reason };
  }
  if (kind === 'timeDate') {
    return Number.isNaN(Date.parse(text)) ? { problem: `"${text}" is not an ISO 8601 date-time` } : { until: text };
  }
  const cycle = /^R(\d*)\/(?:([^/]+)\/)?(P[^/]+)$/.exec(text);
  if (cycle) {
    if (cycle[2] !== undefined) return { problem: `cycle "${text}" has a start date; only R<n>/<duration> is understood` };
    const ms = isoDurationMs(cycle[3]);
    return ms.ok ? { duration: ms.value } : { problem: ms.reason };
  }
  if (/^(\S+\s+){4,5}\S+$/.test(text) || text.startsWith('@')) return { cron: text };
  return { problem: `cycle "${text}" is neither R<n>/<ISO duration> nor a cron expression` };
}
