/**
 * A prompt run in memory (F4.5): its row, its compiled template version and its message
 * history, and the sending of one message — variables resolved afresh, the task row started,
 * the answer streamed, the task ended with its usage (and the run's totals grown with it, in
 * the store's one transaction). A run sends one message at a time.
 */
import type { ModelMessage } from 'ai';
import type { Models } from '../ai/models.js';
import { RequestError, RunloomError } from '../errors.js';
import type { PromptRecords, PromptRunRow, PromptTaskEnd, PromptTaskRecord } from '../store/prompt-records.js';
import { type Answer, streamAnswer } from './stream-answer.js';
import type { CompiledPrompt } from './template.js';
import { TextChannel } from './text-channel.js';
import { checkGiven, computedValues, resolveVariables } from './variables.js';

export interface SendOptions {
  /** Values to give the run from this message on (merged into those it was given). */
  readonly values?: Record<string, unknown>;
  /** Cancels the message mid-stream, like `reply.cancel()`. */
  readonly signal?: AbortSignal;
}

/** A message being answered: its text as it streams, and its task once ended. */
export interface PromptReply extends AsyncIterable<string> {
  readonly runId: string;
  readonly seq: number;
  /** The task as stored once the answer ended (completed, failed or cancelled). */
  readonly done: Promise<PromptTaskRecord>;
  /** Stops the answer: the task ends `cancelled` with the partial text and its usage. */
  cancel(): void;
}

export interface RunDeps {
  readonly models: Models;
  /** Where the stored variable scopes are read (the store's, also for untracked runs). */
  readonly scopes: PromptRecords;
  readonly now: () => number;
}

export class LoadedRun {
  private sending = false;
  lastUsed: number;

  constructor(
    public row: PromptRunRow,
    readonly compiled: CompiledPrompt,
    readonly history: PromptTaskRecord[],
    /** The store's records, or a private in-memory copy for a run that is not tracked. */
    readonly records: PromptRecords,
    private readonly deps: RunDeps,
  ) {
    this.lastUsed = deps.now();
  }

  get busy(): boolean {
    return this.sending;
  }

  async setValues(values: Record<string, unknown>): Promise<void> {
    checkGiven(this.compiled.definition, values);
    const merged = { ...this.row.values, ...values };
    const at = this.deps.now();
    await this.records.setRunValues(this.row.id, merged, at);
    this.row = { ...this.row, values: merged, updatedAt: at };
  }

  async send(text: string | undefined, options: SendOptions = {}): Promise<PromptReply> {
    if (this.sending) {
      throw new RequestError('CONFLICT', `prompt run '${this.row.id}' is answering a message; send the next one when it ends`);
    }
    this.sending = true;
    try {
      return await this.start(text, options);
    } catch (error) {
      this.sending = false;
      throw error;
    }
  }

  private async start(text: string | undefined, options: SendOptions): Promise<PromptReply> {
    const { compiled, deps } = this;
    const definition = compiled.definition;
    if (options.values) await this.setValues(options.values);
    const now = deps.now();
    const index = this.history.length + 1;
    const { values } = await resolveVariables(deps.scopes, definition, {
      workspace: this.row.workspace,
      ...(this.row.user === undefined ? {} : { user: this.row.user }),
      ...(this.row.project === undefined ? {} : { project: this.row.project }),
      given: this.row.values,
      computed: computedValues(now, this.row, index),
    });
    const scope = { vars: values, now };
    const system = compiled.system?.render(scope);
    const message = text ?? compiled.message?.render(scope);
    if (message === undefined || message === '') {
      throw new RequestError('MESSAGE_MISSING', `prompt '${definition.id}' has no message template: give the message to send`);
    }
    const entry = modelOf(deps.models, definition.model);
    const start = {
      runId: this.row.id,
      model: entry.name,
      message,
      ...(system ? { system } : {}),
      variables: values,
      startedAt: now,
    };
    const seq = await this.records.startTask(start);
    const task: PromptTaskRecord = { ...start, seq, status: 'streaming', tokensIn: 0, tokensOut: 0, credits: 0 };
    this.history.push(task);
    const channel = new TextChannel();
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) abort.abort();
    const done = streamAnswer({
      entry,
      ...(system ? { system } : {}),
      messages: [...this.conversation(), { role: 'user', content: message }],
      settings: definition.settings,
      signal: abort.signal,
      onText: (delta) => channel.write(delta),
      now: deps.now,
    })
      .then((answer) => this.finish(seq, answer))
      .then(
        (ended) => {
          channel.end();
          return ended;
        },
        (error) => {
          channel.end(error);
          throw error;
        },
      )
      .finally(() => {
        options.signal?.removeEventListener('abort', onAbort);
        this.sending = false;
        this.lastUsed = deps.now();
      });
    // A reader that only iterates still learns of a failure: `done` is never left unhandled.
    done.catch(() => {});
    return {
      runId: this.row.id,
      seq,
      done,
      cancel: () => abort.abort(),
      [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    };
  }

  /** What the model sees of the earlier messages: each answered one, with its answer. */
  private conversation(): ModelMessage[] {
    return this.history
      .filter((t) => t.status === 'completed')
      .flatMap((t): ModelMessage[] => [
        { role: 'user', content: t.message },
        { role: 'assistant', content: t.output ?? '' },
      ]);
  }

  private async finish(seq: number, answer: Answer): Promise<PromptTaskRecord> {
    const check = this.compiled.check;
    let end: PromptTaskEnd = {
      status: answer.status,
      output: answer.text,
      tokensIn: answer.tokensIn,
      tokensOut: answer.tokensOut,
      credits: answer.credits,
      ...(answer.ttftMs === undefined ? {} : { ttftMs: answer.ttftMs }),
      durationMs: answer.durationMs,
      ...(answer.error ? { error: answer.error } : {}),
      endedAt: this.deps.now(),
    };
    if (end.status === 'completed' && check) {
      const problems = outputProblems(answer.text, check);
      if (problems) end = { ...end, status: 'failed', error: { code: 'OUTPUT_INVALID', message: `the answer ${problems}` } };
    }
    const ended = await this.records.finishTask(this.row.id, seq, end);
    if (!ended) throw new RequestError('CONFLICT', `task ${seq} of prompt run '${this.row.id}' had already ended`);
    const i = this.history.findIndex((t) => t.seq === seq);
    const record: PromptTaskRecord = { ...this.history[i], ...end };
    this.history[i] = record;
    return record;
  }
}

/** The prompt's model; one this process does not configure is the request's problem (a 4xx). */
function modelOf(models: Models, name: string) {
  try {
    return models.get(name);
  } catch (error) {
    if (error instanceof RunloomError) throw new RequestError(error.code, `the prompt's model: ${error.message}`);
    throw error;
  }
}

function outputProblems(text: string, check: (value: unknown) => string[] | null): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON, but the prompt has an outputSchema';
  }
  const problems = check(value);
  return problems ? `does not match the outputSchema: ${problems.join('; ')}` : undefined;
}
