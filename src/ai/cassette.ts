/**
 * A cassette: a JSON file of model calls, request hash → what the model streamed back (text,
 * tool calls, usage — the provider's own stream parts). The replay model answers from it, so a
 * flow with ai steps runs in CI and on a fresh clone without a network (issue 14 item 7).
 *
 * The hash is SHA-256 of the request as the provider sees it (prompt, tools, settings), in a
 * canonical JSON with keys sorted at every level: the same request hashes the same in every
 * process whatever order its objects were built in. Headers and the abort signal are not part
 * of it (they do not change the answer).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RunloomError } from '../errors.js';

export const CASSETTE_FORMAT = 'runloom/cassette/v1';

/** replay: answer from the file only · record: call the real model, always · auto: record what is missing. */
export type CassetteMode = 'replay' | 'record' | 'auto';
export const CASSETTE_MODES: readonly CassetteMode[] = ['replay', 'record', 'auto'];

/** One recorded call: the request (for people diffing a miss) and the stream parts answered. */
export interface CassetteEntry {
  readonly request: unknown;
  readonly parts: readonly unknown[];
}

interface CassetteFile {
  readonly format: typeof CASSETTE_FORMAT;
  readonly calls: Readonly<Record<string, CassetteEntry>>;
}

/** The request options that change a model's answer; everything else is left out of the hash. */
const HASHED = [
  'prompt',
  'tools',
  'toolChoice',
  'responseFormat',
  'maxOutputTokens',
  'temperature',
  'stopSequences',
  'topP',
  'topK',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'providerOptions',
] as const;

/** The request as it is hashed and kept: the answer-changing options, in canonical form. */
export function canonicalRequest(options: Readonly<Record<string, unknown>>): unknown {
  const picked: Record<string, unknown> = {};
  for (const key of HASHED) if (options[key] !== undefined) picked[key] = options[key];
  return canonical(picked);
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** A JSON copy with every object's keys sorted (arrays keep their order: it means something). */
function canonical(value: unknown): unknown {
  const plain = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) out[key] = sort((v as Record<string, unknown>)[key]);
    return out;
  };
  return sort(plain);
}

/**
 * One cassette file, read on first use. Recording writes the whole file again after each call,
 * merged with what is on disk then (another model or process may have recorded meanwhile), to
 * a temporary file renamed over it (a reader never sees half a file); synchronously, so two
 * writes in one process never interleave. Calls are sorted by hash: a re-recording diffs cleanly.
 */
export class Cassette {
  private calls: Map<string, CassetteEntry> | undefined;

  constructor(
    /** The absolute path. */
    readonly file: string,
    /** How messages name it (the path as configured). */
    readonly shown: string,
  ) {}

  get(hash: string): CassetteEntry | undefined {
    return this.load().get(hash);
  }

  /** Adds (or replaces) a call and writes the file. */
  put(hash: string, entry: CassetteEntry): void {
    this.load().set(hash, entry);
    this.write();
  }

  private load(): Map<string, CassetteEntry> {
    this.calls ??= new Map(Object.entries(this.read()?.calls ?? {}));
    return this.calls;
  }

  private read(): CassetteFile | undefined {
    if (!existsSync(this.file)) return undefined;
    let data: CassetteFile;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8')) as CassetteFile;
    } catch (error) {
      throw this.invalid(`not readable JSON: ${(error as Error).message}`);
    }
    if (data?.format !== CASSETTE_FORMAT || typeof data.calls !== 'object' || data.calls === null) {
      throw this.invalid(`not a cassette (expected "format": "${CASSETTE_FORMAT}" and "calls")`);
    }
    return data;
  }

  private write(): void {
    const merged = new Map([...Object.entries(this.read()?.calls ?? {}), ...(this.calls ?? [])]);
    const calls = Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const temporary = `${this.file}.${process.pid}.tmp`;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify({ format: CASSETTE_FORMAT, calls }, null, 2)}\n`);
    renameSync(temporary, this.file);
  }

  private invalid(problem: string): RunloomError {
    return new RunloomError('CASSETTE_INVALID', `cassette '${this.shown}': ${problem}`, { details: { cassette: this.shown } });
  }
}
