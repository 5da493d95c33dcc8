/**
 * A prompt run, reopened by id with its whole history (every message, its answer and figures)
 * and its totals; a message sent here streams its answer in as it comes, shows it `streaming`
 * and can be cancelled mid-stream (the server keeps the partial text, status `cancelled`).
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { PromptRunDetail, PromptTask } from '../../api/prompt-types';
import { sendMessage } from '../../api/stream-message';
import { useApi } from '../../api/use-api';
import { Link } from '../../app/router';
import { RunValues } from './run-values';
import { TaskCard } from './task-card';

/** The message being answered, as the stream tells it; the stored task replaces it at the end. */
interface Streaming {
  readonly message: string;
  readonly seq?: number;
  readonly text: string;
}

export function PromptRunPage({ params }: { params: Record<string, string> }) {
  const { promptRunId } = params;
  const detail = useApi<PromptRunDetail>(`/v1/prompt-runs/${encodeURIComponent(promptRunId)}`);
  const [text, setText] = useState('');
  const [streaming, setStreaming] = useState<Streaming>();
  const [failure, setFailure] = useState<string>();
  const abort = useRef<AbortController>(undefined);

  async function send(event: FormEvent) {
    event.preventDefault();
    const message = text.trim();
    const controller = new AbortController();
    abort.current = controller;
    setFailure(undefined);
    setStreaming({ message: message || '(the prompt’s message)', text: '' });
    try {
      await sendMessage(
        promptRunId,
        message ? { text: message } : {},
        {
          onOpen: (seq) => setStreaming((s) => s && { ...s, seq }),
          onText: (piece) => setStreaming((s) => s && { ...s, text: s.text + piece }),
          onTask: (task: PromptTask) => setStreaming((s) => s && { ...s, text: task.output ?? s.text }),
        },
        controller.signal,
      );
      setText('');
    } catch (error) {
      if (!controller.signal.aborted) setFailure((error as Error).message);
    } finally {
      abort.current = undefined;
      setStreaming(undefined);
      detail.reload();
    }
  }

  // A message cancelled or sent elsewhere may still be ending on the server: look again until it has.
  const ending = !streaming && detail.data?.tasks.some((task) => task.status === 'streaming');
  const { reload } = detail;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each answer (detail.data) that still shows it ending asks again
  useEffect(() => {
    if (!ending) return;
    const timer = setTimeout(reload, 300);
    return () => clearTimeout(timer);
  }, [ending, reload, detail.data]);

  if (detail.error) return <p className="error">{detail.error.message}</p>;
  if (!detail.data) return <p className="muted">Loading…</p>;
  const { run, tasks } = detail.data;
  return (
    <section>
      <p>
        <Link to="/prompts">Prompts</Link> / prompt run
      </p>
      <h1 data-testid="prompt-run-id">{run.id}</h1>
      <dl className="figures" data-testid="totals">
        <dt>Prompt</dt>
        <dd>
          {run.promptId} v{run.promptVersion}
        </dd>
        <dt>Values</dt>
        <dd>
          <code data-testid="run-values">{JSON.stringify(run.values)}</code>
        </dd>
        <dt>Messages</dt>
        <dd>{run.tasks}</dd>
        <dt>Tokens in / out</dt>
        <dd data-testid="total-tokens">
          {run.totals.tokensIn} / {run.totals.tokensOut}
        </dd>
        <dt>Credits</dt>
        <dd data-testid="total-credits">{run.totals.credits}</dd>
      </dl>
      <RunValues run={run} onChanged={detail.reload} />
      <ol className="tasks" aria-label="Messages">
        {tasks
          .filter((task) => task.seq !== streaming?.seq)
          .map((task) => (
            <TaskCard key={task.seq} task={task} />
          ))}
        {streaming && (
          <li className="task status-streaming" data-testid="streaming">
            <p className="message">
              <strong>#{streaming.seq ?? '…'}</strong> {streaming.message}
            </p>
            <pre className="answer" data-testid="streaming-answer" aria-live="polite">
              {streaming.text}
            </pre>
            <p data-testid="task-status">streaming</p>
          </li>
        )}
      </ol>
      <form onSubmit={send} className="send" data-testid="send-form">
        <label htmlFor="message">Message</label>
        <textarea
          id="message"
          rows={3}
          value={text}
          placeholder={tasks.length === 0 ? 'empty: the prompt’s message template' : 'your next message'}
          onChange={(e) => setText(e.target.value)}
          // Ctrl+Enter (⌘+Enter) sends from the keyboard; Enter alone makes a new line.
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
          }}
        />
        <button type="submit" disabled={streaming !== undefined}>
          Send
        </button>
        <button type="button" disabled={streaming === undefined} onClick={() => abort.current?.abort()}>
          Cancel
        </button>
      </form>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
    </section>
  );
}
