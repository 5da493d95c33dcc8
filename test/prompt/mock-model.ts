/**
 * A mock model (the AI SDK's MockLanguageModelV3) for prompt runs: answers from a function of
 * the call, streams slowly when asked (to cancel mid-stream), fails when asked, and keeps every
 * prompt it received — exactly what the model saw.
 */
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { answerParts, type ScriptedAnswer } from '../ai/scripted-model.js';

type StreamResult = Awaited<ReturnType<MockLanguageModelV3['doStream']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

export interface MockAnswer extends ScriptedAnswer {
  /** Fail the call with this message instead of answering. */
  readonly fail?: string;
  /** Stream the text in this many pieces, each after `delayMs` (a slow answer). */
  readonly pieces?: number;
  readonly delayMs?: number;
}

export interface ReceivedPrompt {
  readonly system?: string;
  readonly messages: { role: string; text: string }[];
}

export function mockModel(answer: (call: number) => MockAnswer = () => ({ text: 'ok' })) {
  const received: ReceivedPrompt[] = [];
  const model = new MockLanguageModelV3({
    modelId: 'mock',
    doStream: async (options) => {
      const call = received.length;
      const system = options.prompt.find((m) => m.role === 'system');
      received.push({
        ...(system ? { system: system.content as string } : {}),
        messages: options.prompt
          .filter((m) => m.role !== 'system')
          .map((m) => ({
            role: m.role,
            text: (m.content as { type: string; text?: string }[]).map((p) => p.text ?? '').join(''),
          })),
      });
      const a = answer(call);
      if (a.fail) throw Object.assign(new Error(a.fail), { statusCode: 400 });
      let chunks = answerParts(a, call);
      if (a.pieces && a.text) {
        const size = Math.ceil(a.text.length / a.pieces);
        const deltas: StreamPart[] = [];
        for (let i = 0; i < a.text.length; i += size)
          deltas.push({ type: 'text-delta', id: 't', delta: a.text.slice(i, i + size) });
        chunks = [
          chunks[0],
          { type: 'text-start', id: 't' },
          ...deltas,
          { type: 'text-end', id: 't' },
          chunks.at(-1) as StreamPart,
        ];
      }
      return {
        stream: simulateReadableStream<StreamPart>({ chunks, chunkDelayInMs: a.delayMs ?? null, initialDelayInMs: null }),
      };
    },
  });
  return { model, received };
}

export const GREET = `
format: runloom/prompt-v1
id: greet
model: default
variables:
  name: { type: string, default: there }
  tone: { type: string, default: plain }
  lang: { type: string, default: en }
system: "Tone {{ vars.tone }}, language {{ vars.lang }}, today {{ vars.current_date }}"
message: "Say hello to {{ vars.name }}"
`;
