/**
 * Reads V8 CPU profiles (`.cpuprofile`) and ranks functions by self time, with the source line
 * of project files. Used by bench/profile-top.ts and by the benchmark's --profile flag.
 *
 * V8 reports positions in the code it ran, which for TypeScript is tsx's transpiled (one-line)
 * output. The source line of a project file comes from the source map tsx keeps in its cache
 * (`<tmpdir>/tsx-<uid>/`); failing that, from where a function of that name is declared in
 * the .ts file, marked `≈`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const sources = new Map<string, string[] | null>();
function sourceLines(path: string): string[] | null {
  if (!sources.has(path)) sources.set(path, existsSync(path) ? readFileSync(path, 'utf8').split('\n') : null);
  return sources.get(path) ?? null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where `name` is declared in a source file (1-based), or undefined. */
function declarationLine(path: string, name: string): number | undefined {
  const lines = sourceLines(path);
  if (!lines || name === '' || name.startsWith('(')) return undefined;
  const short = name.split('.').pop() as string;
  const n = escapeRegExp(short);
  const patterns = [
    new RegExp(`function\\*?\\s+${n}\\s*[<(]`),
    new RegExp(`^\\s*(?:export\\s+)?(?:const|let|var)\\s+${n}\\s*[=:]`),
    new RegExp(`^\\s*(?:(?:private|public|protected|static|async|readonly|get|set)\\s+)*${n}\\s*[<(]`),
    new RegExp(`^\\s*${n}\\s*[:=]\\s*(?:async\\s*)?(?:\\(|function)`),
    new RegExp(`\\b${n}\\s*[:=]`),
  ];
  for (const pattern of patterns) {
    const i = lines.findIndex((line) => pattern.test(line));
    if (i >= 0) return i + 1;
  }
  return undefined;
}

let maps: Map<string, SourceMap> | undefined;
/** Source maps of tsx's transpile cache, by source path (the newest entry per source). */
function tsxSourceMaps(): Map<string, SourceMap> {
  if (maps) return maps;
  maps = new Map();
  const newest = new Map<string, number>();
  const dir = join(tmpdir(), `tsx-${userInfo().uid}`);
  if (!existsSync(dir)) return maps;
  for (const name of readdirSync(dir)) {
    try {
      const file = join(dir, name);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as { map?: SourceMapPayload };
      const source = entry.map?.sources?.[0];
      if (!entry.map || !source) continue;
      const mtime = statSync(file).mtimeMs;
      if ((newest.get(source) ?? -1) >= mtime) continue;
      newest.set(source, mtime);
      maps.set(source, new SourceMap(entry.map));
    } catch {
      // not a cache entry we understand
    }
  }
  return maps;
}

function mappedLine(path: string, frame: CallFrame): number | undefined {
  const map = tsxSourceMaps().get(path);
  if (!map) return undefined;
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalLine?: number };
  return entry.originalLine === undefined ? undefined : entry.originalLine + 1;
}

function location(frame: CallFrame): string {
  const { url, functionName, lineNumber } = frame;
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith('node:')) return `${path}:${lineNumber + 1}`;
  const rel = relative(ROOT, path);
  if (rel.startsWith('node_modules')) {
    const parts = rel.split('/');
    const pkg = parts[1].startsWith('@') ? parts.slice(1, 3).join('/') : parts[1];
    return `${pkg}: ${parts.slice(parts[1].startsWith('@') ? 3 : 2).join('/')}:${lineNumber + 1}`;
  }
  if (/\.(m|c)?ts$/.test(path)) {
    const line = mappedLine(path, frame) ?? declarationLine(path, functionName);
    return line === undefined ? `${rel}:≈${lineNumber + 1}` : `${rel}:${line}`;
  }
  return `${rel}:${lineNumber + 1}`;
}

export interface AnalyseOptions {
  readonly top: number;
  /** Also rank project functions by inclusive (self + callees) time. */
  readonly inclusive?: boolean;
  /** Keep only samples taken in [startUs, endUs] (profile clock = process.hrtime in µs). */
  readonly window?: { readonly startUs: number; readonly endUs: number };
  readonly title?: string;
  readonly print?: (line: string) => void;
}

export function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}

/** Busy (non-idle) samples of `profile` in the window: picks the main thread's profile among several. */
export function samplesIn(profile: Profile, window: { startUs: number; endUs: number }): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let t = profile.startTime;
  let n = 0;
  for (let i = 0; i < profile.timeDeltas.length; i++) {
    t += profile.timeDeltas[i];
    if (t >= window.startUs && t <= window.endUs && !idle.has(profile.samples[i])) n++;
  }
  return n;
}

export function analyse(file: string, options: AnalyseOptions): void {
  const { top, inclusive = false, window, print = console.log } = options;
  const profile = readProfile(file);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window.startUs || t > window.endUs)) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const key = (f: CallFrame) => `${f.functionName || '(anonymous)'}\u0000${f.url}\u0000${f.lineNumber}:${f.columnNumber}`;
  const frames = new Map(profile.nodes.map((n) => [key(n.callFrame), n.callFrame]));
  const selfBy = new Map<string, { frame: CallFrame; us: number }>();
  const totalBy = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id) as ProfileNode;
    const k = key(node.callFrame);
    const entry = selfBy.get(k) ?? { frame: node.callFrame, us: 0 };
    entry.us += us;
    selfBy.set(k, entry);
    if (inclusive) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const ck = key((byId.get(cur) as ProfileNode).callFrame);
        if (seen.has(ck)) continue;
        seen.add(ck);
        totalBy.set(ck, (totalBy.get(ck) ?? 0) + us);
      }
    }
  }
  const idle = [...selfBy.values()].filter((e) => e.frame.functionName === '(idle)').reduce((s, e) => s + e.us, 0);
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  print(
    `\n${options.title ?? file}\nsampled ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms (idle excluded from %)`,
  );
  print(`\n  self ms   self%${inclusive ? '  total%' : ''}  function — location`);
  const rows = [...selfBy.entries()].filter(([, e]) => e.frame.functionName !== '(idle)').sort((a, b) => b[1].us - a[1].us);
  for (const [k, e] of rows.slice(0, top)) {
    const name = e.frame.functionName || '(anonymous)';
    const incl = inclusive ? `  ${pct(totalBy.get(k) ?? 0)}` : '';
    print(`${(e.us / 1000).toFixed(1).padStart(9)}  ${pct(e.us)}${incl}  ${name} — ${location(e.frame)}`);
  }
  if (inclusive) {
    print(`\n  top inclusive (project files only)`);
    const incl = [...totalBy.entries()]
      .map(([k, us]) => ({ k, us, frame: frames.get(k) as CallFrame }))
      .filter((e) => e.frame?.url.includes('/src/'))
      .sort((a, b) => b.us - a.us)
      .slice(0, top);
    for (const e of incl)
      print(
        `${(e.us / 1000).toFixed(1).padStart(9)}  ${pct(e.us)}  ${e.frame.functionName || '(anonymous)'} — ${location(e.frame)}`,
      );
  }
}
