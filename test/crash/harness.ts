/** Real child processes for the crash tests: spawn `node --import tsx <script>`, read its lines, kill -9 it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private exit: Exit | undefined;

  constructor(script: string, args: readonly string[]) {
    this.process = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.process.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      for (const waiter of this.waiters.slice()) {
        if (waiter.match(line)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes after the child's stdout has been read to the end.
      this.process.on('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The first line (already printed or to come) starting with `prefix`; rejects if the child exits first. */
  line(prefix: string, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find((line) => line.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no '${prefix}' line within ${timeoutMs} ms\n${this.describe()}`)),
        timeoutMs,
      );
      const waiter = {
        match: (line: string) => line.startsWith(prefix),
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.push(waiter);
      this.exited.then((exit) => {
        clearTimeout(timer);
        if (this.waiters.includes(waiter))
          reject(new Error(`child exited (${exit.code ?? exit.signal}) before '${prefix}'\n${this.describe()}`));
      });
    });
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.process.stdin?.write(`${line}\n`);
  }

  /** SIGKILL: no handler runs, nothing is flushed — a crash. */
  async kill(): Promise<Exit> {
    if (!this.hasExited) this.process.kill('SIGKILL');
    return this.exited;
  }

  describe(): string {
    return `stdout:\n${this.lines.slice(-20).join('\n')}\nstderr:\n${this.stderr.slice(-4000)}`;
  }
}

/** A child that answers JSON commands on stdin with one JSON line each (`{"id":n,...}`). */
export class RpcChild extends Child {
  private nextId = 1;

  async call<T = Record<string, unknown>>(command: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    const reply = this.line(`{"id":${id},`, timeoutMs);
    this.process.stdin?.write(`${JSON.stringify({ id, ...command })}\n`);
    const parsed = JSON.parse(await reply) as { id: number; error?: { code: string; message: string } } & T;
    if (parsed.error) throw Object.assign(new Error(parsed.error.message), { code: parsed.error.code });
    return parsed;
  }
}

/** Deterministic when RUNLOOM_CRASH_SEED is set (to replay a failure), random otherwise. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
