/** The event blocks of a Server-Sent Events response, as text, until it ends or `signal` aborts. */
export async function* sseBlocks(response: Response, signal: AbortSignal): AsyncGenerator<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  // The fetch's abort does not always reach a read pending behind the decoder: cancel it.
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', cancel);
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read().catch((error) => {
        if (signal.aborted) return { value: undefined, done: true as const };
        throw error;
      });
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        yield buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}

/** The JSON data of a block of this event type, else undefined. */
export function dataOf(block: string, event: string): unknown {
  if (!new RegExp(`^event: ${event}$`, 'm').test(block)) return undefined;
  return JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
}
