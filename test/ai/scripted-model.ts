/**
 * The AI SDK's own mock model (MockLanguageModelV3) answering from a script: each call streams
 * the next answer (text and/or tool calls, with usage). The prompts it received are kept.
 */
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

export interface ScriptedAnswer {
  readonly text?: string;
  readonly tools?: readonly { readonly name: string; readonly input: unknown }[];
  /** Reported usage; `null` = the provider reports none. */
  readonly usage?: { readonly input: number; readonly output: number } | null;
}

type StreamResult = Awaited<ReturnType<MockLanguageModelV3['doStream']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

export function answerParts(answer: ScriptedAnswer, call: number): StreamPart[] {
  const parts: StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  if (answer.text !== undefined) {
    parts.push({ type: 'text-start', id: 't' });
    // In two pieces, so streaming is streaming.
    const half = Math.ceil(answer.text.length / 2);
    for (const delta of [answer.text.slice(0, half), answer.text.slice(half)])
      if (delta) parts.push({ type: 'text-delta', id: 't', delta });
    parts.push({ type: 'text-end', id: 't' });
  }
  for (const [k, tool] of (answer.tools ?? []).entries()) {
    parts.push({ type: 'tool-call', toolCallId: `c${call}-${k}`, toolName: tool.name, input: JSON.stringify(tool.input) });
  }
  const usage = answer.usage === null ? undefined : (answer.usage ?? { input: 10, output: 5 });
  parts.push({
    type: 'finish',
    finishReason: { unified: answer.tools?.length ? 'tool-calls' : 'stop', raw: undefined },
    usage: {
      inputTokens: { total: usage?.input, noCache: usage?.input, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: usage?.output, text: usage?.output, reasoning: undefined },
    },
  });
  return parts;
}

export function scriptedModel(script: readonly ScriptedAnswer[] | ((call: number) => ScriptedAnswer)) {
  let calls = 0;
  const model = new MockLanguageModelV3({
    modelId: 'scripted',
    doStream: async () => {
      const call = calls++;
      const answer = typeof script === 'function' ? script(call) : script[call];
      if (!answer) throw new Error(`the script has no answer for call ${call + 1}`);
      return {
        stream: simulateReadableStream<StreamPart>({
          chunks: answerParts(answer, call),
          chunkDelayInMs: null,
          initialDelayInMs: null,
        }),
      };
    },
  });
  return model;
}
