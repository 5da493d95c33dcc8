/** A Server-Sent Events client over node:http that a test can cut off mid-stream (socket destroyed). */
import http from 'node:http';

export interface SseMessage {
  readonly event: string;
  readonly id?: string;
  readonly data: string;
}

export interface SseStream {
  readonly status: Promise<number>;
  /** The next message; undefined once the stream ended. */
  next(): Promise<SseMessage | undefined>;
  /** Kills the connection as a crashed client would: no goodbye. */
  destroy(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): SseStream {
  const queue: SseMessage[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  let setStatus!: (status: number) => void;
  const status = new Promise<number>((resolve) => {
    setStatus = resolve;
  });
  const finish = () => {
    ended = true;
    wake?.();
  };
  const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
    setStatus(response.statusCode ?? 0);
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const name = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
        }
        if (fields.data === undefined && fields.event === undefined) continue;
        queue.push({
          event: fields.event ?? 'message',
          ...(fields.id === undefined ? {} : { id: fields.id }),
          data: fields.data ?? '',
        });
      }
      wake?.();
    });
    response.on('end', finish);
    response.on('error', finish);
  });
  request.on('error', () => {
    setStatus(0);
    finish();
  });
  return {
    status,
    async next() {
      while (queue.length === 0 && !ended) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      return queue.shift();
    },
    destroy() {
      request.destroy();
      finish();
    },
  };
}
