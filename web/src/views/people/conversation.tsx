/**
 * A conversational AI step waiting for the person's message: the conversation so far (folded
 * from the step's journal in the run's log — the model's answers and the messages it got) and a
 * box to send the next message or end the conversation. The reply is not awaited here: it comes
 * with the run's live events (or the inbox's next poll) like any other change of the run.
 */
import { useState } from 'react';
import { runActions } from '../../api/client';
import type { RunEvent, RunView, WaitingOn } from '../../api/types';

export interface Line {
  readonly seq: number;
  readonly from: 'model' | 'person';
  readonly text: string;
  /** The person ended the conversation with this message. */
  readonly end?: boolean;
}

/**
 * The lines of the conversation of the step execution `nodeId` waits in now: from its
 * `step.started` on, the model's answers with text (tool calls say nothing to the person) and the
 * messages received at the node. An earlier execution of the node (a loop) is not this one.
 */
export function conversationOf(events: readonly RunEvent[], nodeId: string): Line[] {
  let from = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].type === 'step.started' && events[i].nodeId === nodeId) {
      from = i;
      break;
    }
  }
  if (from < 0) return [];
  const stepSeq = events[from].data?.seq;
  // A step started again (a process resumed after a crash) keeps its journal: the conversation
  // goes back to the first start of the same step.
  from = events.findIndex((e) => e.type === 'step.started' && e.nodeId === nodeId && e.data?.seq === stepSeq);
  const lines: Line[] = [];
  for (const event of events.slice(from)) {
    if (event.nodeId !== nodeId) continue;
    if (event.type === 'step.progressed' && event.data?.seq === stepSeq) {
      const unit = event.data?.unit as { kind?: string; answer?: { text?: string } } | undefined;
      if (unit?.kind === 'model' && unit.answer?.text) lines.push({ seq: event.seq, from: 'model', text: unit.answer.text });
    } else if (event.type === 'message.received') {
      const text = String(event.data?.text ?? '');
      lines.push({ seq: event.seq, from: 'person', text, ...(event.data?.end ? { end: true } : {}) });
    }
  }
  return lines;
}

function Transcript({ nodeId, lines }: { nodeId: string; lines: readonly Line[] }) {
  return (
    <ol className="transcript" aria-label="Conversation" aria-live="polite" data-testid={`transcript-${nodeId}`}>
      {lines.map((line) => (
        <li key={`${line.seq}:${line.from}`} className={`said-by-${line.from}`}>
          <strong>{line.from === 'model' ? nodeId : 'you'}:</strong> {line.text}
          {line.end && <em className="muted"> (ended the conversation)</em>}
        </li>
      ))}
    </ol>
  );
}

/**
 * The nodes whose conversation has the person's last message and no reply yet: the step runs
 * again with it (not waiting, not ended), so the run page keeps the conversation in sight.
 */
export function replyingNodes(events: readonly RunEvent[], waitingOn: readonly WaitingOn[]): string[] {
  const waiting = new Set(waitingOn.map((w) => w.nodeId));
  const last = new Map<string, RunEvent>();
  for (const event of events) if (event.nodeId !== undefined) last.set(event.nodeId, event);
  return [...last]
    .filter(([nodeId, event]) => !waiting.has(nodeId) && event.type === 'message.received' && !event.data?.end)
    .map(([nodeId]) => nodeId);
}

/** A conversation whose model is answering the person's message: the transcript, and that it is replying. */
export function Replying({ nodeId, events }: { nodeId: string; events: readonly RunEvent[] }) {
  return (
    <div className="answer conversation" data-testid={`replying-${nodeId}`}>
      <Transcript nodeId={nodeId} lines={conversationOf(events, nodeId)} />
      <p className="muted" role="status">
        {nodeId} is replying…
      </p>
    </div>
  );
}

export interface ConversationProps {
  readonly runId: string;
  readonly waiting: WaitingOn;
  /** The run's log, when the view holds it; without it only what the model said last is shown. */
  readonly events: readonly RunEvent[] | undefined;
  readonly onAnswered: (run: RunView) => void;
}

export function Conversation({ runId, waiting, events, onAnswered }: ConversationProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);
  const folded = events ? conversationOf(events, waiting.nodeId) : [];
  const lines: Line[] =
    folded.length > 0 ? folded : waiting.said === undefined ? [] : [{ seq: 0, from: 'model', text: waiting.said }];
  const send = async (end: boolean) => {
    if (!end && text.trim() === '') return setError('write a message, or end the conversation');
    setSending(true);
    setError(undefined);
    try {
      onAnswered(await runActions.say(runId, waiting.nodeId, text, end));
      setText('');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <form
      className="conversation"
      data-testid={`conversation-${waiting.nodeId}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send(false);
      }}
    >
      <Transcript nodeId={waiting.nodeId} lines={lines} />
      <label>
        Your message
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            // Ctrl+Enter (⌘+Enter) sends; Enter alone is a new line of the message.
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void send(false);
            }
          }}
          rows={3}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="buttons">
        <button type="submit" disabled={sending}>
          Send
        </button>
        <button type="button" disabled={sending} onClick={() => void send(true)}>
          End conversation
        </button>
      </div>
    </form>
  );
}
