/**
 * A loopback server speaking OpenAI's chat-completions protocol (SSE chunks, usage in the last
 * chunk), a fake of a third-party service (Ollama, vLLM, llama.cpp): the AI SDK's
 * openai-compatible provider builds real requests and parses a real stream against it. Each
 * request is answered by `answer(body)`: the text in pieces, a delay between them, the usage.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  readonly requests: CompletionRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const piece of req) text += piece;
  return text;
}

export async function startChatCompletionsServer(
  answer: (request: CompletionRequest) => CompletionAnswer,
): Promise<ChatCompletionsServer> {
  const requests: CompletionRequest[] = [];
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'tiny' };
  const chunk = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as CompletionRequest;
    requests.push(body);
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const reply = answer(body);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [i, piece] of reply.pieces.entries()) {
      if (res.destroyed) return;
      const delta = i === 0 ? { role: 'assistant', content: piece } : { content: piece };
      res.write(chunk({ ...base, choices: [{ index: 0, delta, finish_reason: null }] }));
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    }
    res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    if (reply.usage) {
      const { prompt, completion } = reply.usage;
      res.write(
        chunk({
          ...base,
          choices: [],
          usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        }),
      );
    }
    res.end('data: [DONE]\n\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
