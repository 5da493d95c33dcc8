/** Chats (F4.6): the workspace's threads, most recent first. */
import type { Chat } from '../../api/prompt-types';
import { useApi } from '../../api/use-api';
import { Link } from '../../app/router';
import { chatPath } from '../prompts/paths';

export function ChatsList() {
  const { data, error } = useApi<{ chats: Chat[] }>('/v1/chats?limit=100');
  return (
    <section>
      <h1>Chats</h1>
      {error && <p className="error">{error.message}</p>}
      {data && data.chats.length === 0 && <p className="muted">No chats yet.</p>}
      {data && data.chats.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Chat</th>
              <th>Title</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {data.chats.map((chat) => (
              <tr key={chat.id}>
                <td>
                  <Link to={chatPath(chat.id)}>{chat.id}</Link>
                </td>
                <td>{chat.title}</td>
                <td>{new Date(chat.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
