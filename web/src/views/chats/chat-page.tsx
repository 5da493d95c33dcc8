/**
 * A chat with its metadata (its project, references to flows, runs and prompt runs, settings)
 * and its messages, each with its own metadata and the runs it started, linked.
 */
import type { Chat, ChatMessage } from '../../api/prompt-types';
import { useApi } from '../../api/use-api';
import { Link } from '../../app/router';
import { promptRunPath } from '../prompts/paths';

const shown = (metadata: unknown) => JSON.stringify(metadata ?? {}, null, 2);
const isEmpty = (metadata: unknown) =>
  metadata === null || metadata === undefined || (typeof metadata === 'object' && Object.keys(metadata).length === 0);

interface Reference {
  readonly kind: string;
  readonly id: string;
}

const referencePath: Record<string, (id: string) => string> = {
  flow: (id) => `/flows/${encodeURIComponent(id)}`,
  run: (id) => `/runs/${encodeURIComponent(id)}`,
  promptRun: promptRunPath,
};

/** The chat's project and its references (flows, runs, prompt runs) as links to their views. */
function References({ metadata }: { metadata: unknown }) {
  const { project, references } = (metadata ?? {}) as { project?: string; references?: readonly Reference[] };
  if (!project && !references?.length) return null;
  return (
    <ul className="references" aria-label="References">
      {project && <li>project {project}</li>}
      {references?.map((ref) => {
        const path = referencePath[ref.kind];
        return (
          <li key={`${ref.kind}:${ref.id}`}>
            {ref.kind} {path ? <Link to={path(ref.id)}>{ref.id}</Link> : ref.id}
          </li>
        );
      })}
    </ul>
  );
}

function Message({ message }: { message: ChatMessage }) {
  return (
    <li className={`chat-message role-${message.role}`} data-testid={`message-${message.seq}`}>
      <p className="muted">
        #{message.seq} · {message.role} · {new Date(message.createdAt).toLocaleTimeString()}
      </p>
      <p className="content">{message.content}</p>
      {!isEmpty(message.metadata) && <pre className="metadata">{shown(message.metadata)}</pre>}
      {message.runs.length > 0 && (
        <ul className="message-runs">
          {message.runs.map((run) => (
            <li key={run.runId}>
              <Link to={`/runs/${encodeURIComponent(run.runId)}`}>{run.runId}</Link> · {run.flowId} ·{' '}
              <span className={`status status-${run.status}`}>{run.status}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function ChatPage({ params }: { params: Record<string, string> }) {
  const { data, error } = useApi<{ chat: Chat; messages: ChatMessage[] }>(`/v1/chats/${encodeURIComponent(params.chatId)}`, 3000);
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const { chat, messages } = data;
  return (
    <section>
      <p>
        <Link to="/chats">Chats</Link> / chat
      </p>
      <h1>{chat.title || chat.id}</h1>
      <p className="muted">
        {chat.id} · started {new Date(chat.createdAt).toLocaleString()}
      </p>
      <h2>Metadata</h2>
      <References metadata={chat.metadata} />
      <pre className="metadata" data-testid="chat-metadata">
        {shown(chat.metadata)}
      </pre>
      <h2>Messages</h2>
      {messages.length === 0 && <p className="muted">No messages yet.</p>}
      <ol className="chat-messages">
        {messages.map((message) => (
          <Message key={message.seq} message={message} />
        ))}
      </ol>
    </section>
  );
}
