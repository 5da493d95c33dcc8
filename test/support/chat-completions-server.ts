/**
 * The loopback chat-completions server (chat-server.ts) as the prompt tests use it: each request
 * is answered by `answer(body)` with the text in pieces, a delay before each, and the usage;
 * `requests` are the bodies the server received.
 */
import { startChatServer } from './chat-server.js';

export interface CompletionRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly messages: { role: string; content: string }[];
}

export interface CompletionAnswer {
  readonly pieces: readonly string[];
  readonly delayMs?: number;
  readonly usage?: { readonly prompt: number; readonly completion: number };
}

export interface ChatCompletionsServer {
  readonly baseURL: string;
  readonly requests: readonly CompletionRequest[];
  close(): Promise<void>;
}

export async function startChatCompletionsServer(
  answer: (request: CompletionRequest) => CompletionAnswer,
): Promise<ChatCompletionsServer> {
  const server = await startChatServer((request) => {
    const reply = answer(request.body as CompletionRequest);
    return {
      text: reply.pieces,
      ...(reply.delayMs ? { pieceDelayMs: reply.delayMs } : {}),
      ...(reply.usage ? { usage: reply.usage } : {}),
    };
  });
  return {
    baseURL: server.baseURL,
    get requests() {
      return server.requests.map((request) => request.body as CompletionRequest);
    },
    close: () => server.close(),
  };
}
