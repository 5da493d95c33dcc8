/**
 * What the prompt commands need, against the local store (`runloom.prompts`) or a server
 * (`--server`, the HTTP API with its SSE answers): one interface, so each command is written once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RequestError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import type {
  PromptRunRecord,
  PromptSummary,
  PromptTaskRecord,
  PromptVersionRecord,
  ScopedVariableRow,
  VariableScope,
} from '../store/prompt-records.js';
import type { ApiClient } from './server-client.js';

/** A piece of the answer, then the task as stored. */
export type AnswerEvent = { readonly text: string } | { readonly task: PromptTaskRecord };

export interface PromptClient {
  publish(source: string, sourceName: string): Promise<PromptVersionRecord>;
  list(): Promise<PromptSummary[]>;
  show(promptId: string, version?: number): Promise<PromptVersionRecord>;
  /** A run of a prompt file (published first when tracked) or of a published id. */
  start(target: string, values: Record<string, unknown>, track: boolean): Promise<string>;
  history(runId: string): Promise<{ run: PromptRunRecord; tasks: PromptTaskRecord[] }>;
  setVariable(scope: VariableScope, name: string, value: unknown, owner?: string): Promise<ScopedVariableRow>;
  listVariables(scope: VariableScope, owner?: string): Promise<ScopedVariableRow[]>;
  deleteVariable(scope: VariableScope, name: string, owner?: string): Promise<void>;
  /** Sends a message; the signal cancels the answer mid-stream. */
  send(runId: string, text: string | undefined, signal: AbortSignal): AsyncIterable<AnswerEvent>;
}

/** The file's text when `target` is a prompt file, else undefined (a published id). */
function fileOf(target: string): string | undefined {
  if (!/\.(ya?ml|json)$/i.test(target) && !existsSync(target)) return undefined;
  try {
    return readFileSync(target, 'utf8');
  } catch (error) {
    throw new RequestError('BAD_REQUEST', `${target} cannot be read: ${(error as Error).message}`);
  }
}

export function localPrompts(runloom: Runloom): PromptClient {
  const untracked = new Map<string, Awaited<ReturnType<Runloom['prompts']['start']>>>();
  const runOf = async (runId: string) => untracked.get(runId) ?? runloom.prompts.resume(runId);
  return {
    publish: (source, sourceName) => runloom.prompts.publish(source, { sourceName }),
    list: () => runloom.prompts.list(),
    show: (promptId, version) => runloom.prompts.get(promptId, version),
    async start(target, values, track) {
      const source = fileOf(target);
      const run = await runloom.prompts.start(source === undefined ? target : { source }, { values, track });
      if (!track) untracked.set(run.id, run);
      return run.id;
    },
    setVariable: (scope, name, value, owner) => runloom.prompts.setVariable(scope, name, value, owner ? { owner } : {}),
    listVariables: (scope, owner) => runloom.prompts.listVariables(scope, owner ? { owner } : {}),
    deleteVariable: (scope, name, owner) => runloom.prompts.deleteVariable(scope, name, owner ? { owner } : {}),
    async history(runId) {
      const run = await runOf(runId);
      return { run: await run.info(), tasks: await run.history() };
    },
    async *send(runId, text, signal) {
      const reply = await (await runOf(runId)).send(text, { signal });
      for await (const piece of reply) yield { text: piece };
      yield { task: await reply.done };
    },
  };
}

const variableQuery = (fields: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)).toString();

export function remotePrompts(api: ApiClient): PromptClient {
  const publish = (source: string) => api.call<PromptVersionRecord>('POST', '/v1/prompts', { prompt: source });
  return {
    publish,
    list: async () => (await api.call<{ prompts: PromptSummary[] }>('GET', '/v1/prompts')).prompts,
    show: (promptId, version) =>
      api.call('GET', `/v1/prompts/${encodeURIComponent(promptId)}${version === undefined ? '' : `?version=${version}`}`),
    async start(target, values, track) {
      if (!track) throw new RequestError('BAD_REQUEST', '--no-track runs locally only: a server stores what it runs');
      const source = fileOf(target);
      const prompt = source === undefined ? target : (await publish(source)).promptId;
      return (await api.call<{ id: string }>('POST', '/v1/prompt-runs', { prompt, values })).id;
    },
    history: (runId) => api.call('GET', `/v1/prompt-runs/${encodeURIComponent(runId)}`),
    setVariable: (scope, name, value, owner) => api.call('PUT', '/v1/prompt-variables', { scope, name, value, owner }),
    listVariables: async (scope, owner) =>
      (await api.call<{ variables: ScopedVariableRow[] }>('GET', `/v1/prompt-variables?${variableQuery({ scope, owner })}`))
        .variables,
    deleteVariable: (scope, name, owner) => api.call('DELETE', `/v1/prompt-variables?${variableQuery({ scope, name, owner })}`),
    async *send(runId, text, signal) {
      const response = await api.stream(
        `/v1/prompt-runs/${encodeURIComponent(runId)}/messages`,
        text === undefined ? {} : { text },
        signal,
      );
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}');
          if (event === 'text') yield { text: data.text };
          else if (event === 'task') yield { task: data };
          else if (event === 'error') throw new RequestError(data.error.code, data.error.message);
        }
      }
    },
  };
}
