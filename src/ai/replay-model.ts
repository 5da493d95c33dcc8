/**
 * The `replay` provider: a language model that answers from a cassette (replay), or calls a
 * real model and writes what it answered to the cassette (record), or both (auto: replay what
 * is there, record what is not). It sits at the provider interface, under `streamText`, so a
 * replayed call goes through the same SDK path, accounting and live text as a real one.
 *
 * The mode comes from RUNLOOM_CASSETTES (`replay` when unset: CI never calls a model by
 * surprise); recording needs the model's `record:` target in the config.
 */
import { RunloomError } from '../errors.js';
import { type Cassette, type CassetteEntry, type CassetteMode, canonicalRequest, requestHash } from './cassette.js';
import type { Model } from './models.js';

type ModelV3 = Extract<Model, { specificationVersion: 'v3' }>;
type CallOptions = Parameters<ModelV3['doStream']>[0];
type StreamResult = Awaited<ReturnType<ModelV3['doStream']>>;
type GenerateResult = Awaited<ReturnType<ModelV3['doGenerate']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

export interface ReplayModelOptions {
  /** The configured model's name, for messages. */
  readonly name: string;
  readonly cassette: Cassette;
  readonly mode: CassetteMode;
  /** The real model to record from; undefined when the config names none. */
  readonly target?: () => Promise<Model>;
}

export function replayModel(options: ReplayModelOptions): ModelV3 {
  const { cassette, mode } = options;
  const stream = async (call: CallOptions): Promise<StreamResult> => {
    const request = canonicalRequest(call as unknown as Record<string, unknown>);
    const hash = requestHash(request);
    const recorded = mode === 'record' ? undefined : cassette.get(hash);
    if (recorded) return { stream: partsStream(recorded) };
    if (mode === 'replay') {
      throw new RunloomError(
        'CASSETTE_MISS',
        `model '${options.name}': cassette '${cassette.shown}' has no answer for request ${hash} (record it: RUNLOOM_CASSETTES=auto or record, with \`record:\` naming a real model)`,
        { details: { model: options.name, cassette: cassette.shown, hash } },
      );
    }
    const target = await targetOf(options);
    const answered = await target.doStream(call);
    return { ...answered, stream: answered.stream.pipeThrough(recorder(cassette, hash, request)) };
  };
  return {
    specificationVersion: 'v3',
    provider: 'replay',
    modelId: cassette.shown,
    supportedUrls: {},
    doStream: stream,
    // Cassettes hold stream parts only: a generate call is a stream call, gathered.
    doGenerate: async (call) => gather((await stream(call)).stream),
  };
}

async function targetOf(options: ReplayModelOptions): Promise<ModelV3> {
  if (!options.target) {
    throw new RunloomError(
      'CASSETTE_NO_TARGET',
      `model '${options.name}': RUNLOOM_CASSETTES=${options.mode} records, but the model has no \`record:\` naming the real model to call`,
      { details: { model: options.name } },
    );
  }
  const target = await options.target();
  if (target.specificationVersion !== 'v3') {
    throw new RunloomError('CASSETTE_NO_TARGET', `model '${options.name}': the record target is not an AI SDK v3 model`);
  }
  return target;
}

/** Passes the target's parts on as they come, and keeps the call once it ended without an error. */
function recorder(cassette: Cassette, hash: string, request: unknown): TransformStream<StreamPart, StreamPart> {
  const parts: StreamPart[] = [];
  let failed = false;
  return new TransformStream({
    transform(part, controller) {
      if (part.type === 'error') failed = true;
      // Raw provider chunks are debugging output, asked for per call: not part of the answer.
      else if (part.type !== 'raw') parts.push(part);
      controller.enqueue(part);
    },
    flush() {
      if (!failed) cassette.put(hash, { request, parts: JSON.parse(JSON.stringify(parts)) });
    },
  });
}

function partsStream(entry: CassetteEntry): ReadableStream<StreamPart> {
  const parts = entry.parts.map(revived);
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

/** JSON turned the response's timestamp into a string: it is a Date again. */
function revived(part: unknown): StreamPart {
  const p = part as StreamPart;
  if (p.type === 'response-metadata' && typeof p.timestamp === 'string') return { ...p, timestamp: new Date(p.timestamp) };
  return p;
}

async function gather(stream: ReadableStream<StreamPart>): Promise<GenerateResult> {
  const content: GenerateResult['content'] = [];
  let text: { type: 'text'; text: string } | undefined;
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  const warnings: GenerateResult['warnings'] = [];
  for await (const part of stream as unknown as AsyncIterable<StreamPart>) {
    if (part.type === 'text-start') {
      text = { type: 'text', text: '' };
      content.push(text);
    } else if (part.type === 'text-delta' && text) text.text += part.delta;
    else if (part.type === 'tool-call') content.push(part);
    else if (part.type === 'stream-start') warnings.push(...part.warnings);
    else if (part.type === 'finish') finish = part;
    else if (part.type === 'error') throw part.error;
  }
  if (!finish) throw new RunloomError('CASSETTE_INVALID', 'a recorded answer has no finish part');
  return { content, finishReason: finish.finishReason, usage: finish.usage, warnings };
}
