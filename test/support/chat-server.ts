/**
 * A fake of a third-party model server on loopback: it speaks OpenAI's chat-completions
 * protocol as Ollama, vLLM or llama.cpp do (SSE chunks, tool calls streamed in pieces, usage in
 * the last chunk), answering each request from a script. Tests and the example recorder
 * (test/examples/record-ai-examples.ts) point an `openai-compatible` model at it.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatReply {
  /** The answer's text, in the pieces it is streamed in. */
  readonly text?: readonly string[];
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: unknown }[];
  /** Sent in the last chunk; absent, the stream carries none (as some servers do). */
  readonly usage?: { readonly prompt: number; readonly completion: number };
  /** A pause before each text piece (ms): a model writing slowly, as real ones do. */
  readonly pieceDelayMs?: number;
}

export interface ChatRequest {
  readonly auth: string | undefined;
  readonly body: {
    model: string;
    stream: boolean;
    stream_options?: unknown;
    messages: { role: string; content?: unknown }[];
    tools?: unknown[];
  };
}

export interface ChatServer {
  /** The `/v1` base URL. */
  readonly baseURL: string;
  readonly requests: readonly ChatRequest[];
  close(): Promise<void>;
}

const chunk = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const piece of req) text += piece;
  return text;
}

export async function startChatServer(answer: (request: ChatRequest, index: number) => ChatReply): Promise<ChatServer> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const request = { auth: req.headers.authorization, body: JSON.parse(await readBody(req)) } as ChatRequest;
    requests.push(request);
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const reply = answer(request, requests.length - 1);
    const base = { id: `chatcmpl-${requests.length}`, object: 'chat.completion.chunk', created: 1, model: request.body.model };
    const delta = (d: unknown, finish: string | null = null) =>
      chunk({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const piece of reply.text ?? []) {
      if (reply.pieceDelayMs) await new Promise((resolve) => setTimeout(resolve, reply.pieceDelayMs));
      // The client hung up (a cancelled answer): stop writing, as a real server does.
      if (res.destroyed) return;
      res.write(delta({ role: 'assistant', content: piece }));
    }
    for (const [index, call] of (reply.toolCalls ?? []).entries()) {
      const args = JSON.stringify(call.arguments);
      const half = Math.ceil(args.length / 2);
      const id = `call_${requests.length}_${index}`;
      // The arguments arrive in two pieces, as real servers send them.
      res.write(
        delta({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: args.slice(0, half) } }] }),
      );
      res.write(delta({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }));
    }
    res.write(delta({}, reply.toolCalls?.length ? 'tool_calls' : 'stop'));
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
