/**
 * Sending a prompt run's message: `POST /v1/prompt-runs/{id}/messages` answers with Server-Sent
 * Events, which `EventSource` cannot read (it only GETs), so the answer is read with fetch and a
 * stream reader. Aborting the signal closes the connection, which the server takes as "cancel":
 * the task ends `cancelled` with the text so far.
 */
import { ApiError, apiKey } from './client';
import type { PromptTask } from './prompt-types';

export interface MessageEvents {
  onOpen?(seq: number): void;
  onText(text: string): void;
  onTask(task: PromptTask): void;
}

/** The `event:`/`data:` fields of one SSE block (blocks end with a blank line). */
function parseBlock(block: string): { event: string; data: string } {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { event, data: data.join('\n') };
}

export async function sendMessage(
  promptRunId: string,
  message: { text?: string; values?: Record<string, unknown> },
  events: MessageEvents,
  signal: AbortSignal,
): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = apiKey.get();
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`/v1/prompt-runs/${encodeURIComponent(promptRunId)}/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify(message),
    signal,
  });
  if (!response.ok || !response.body) {
    // A refusal (unknown variable, a message already streaming) is a JSON error, before any stream.
    const error = (await response.json().catch(() => ({})))?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'ERROR', error.message ?? `${response.status} ${response.statusText}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const { event, data } = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event === 'open') events.onOpen?.(JSON.parse(data).seq);
      else if (event === 'text') events.onText(JSON.parse(data).text);
      else if (event === 'task') events.onTask(JSON.parse(data));
      else if (event === 'error') {
        const error = JSON.parse(data).error ?? {};
        throw new ApiError(502, error.code ?? 'STREAM_FAILED', error.message ?? 'the answer failed');
      } else if (event === 'end') return;
    }
  }
}
