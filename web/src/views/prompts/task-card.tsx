/** One message of a prompt run and its answer, with the figures the server recorded for it. */
import type { PromptTask } from '../../api/prompt-types';

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);

export function TaskCard({ task }: { task: PromptTask }) {
  return (
    <li className={`task status-${task.status}`} data-testid={`task-${task.seq}`}>
      <p className="message">
        <strong>#{task.seq}</strong> {task.message}
      </p>
      <pre className="answer">{task.output ?? ''}</pre>
      {task.error && (
        <p className="error">
          {task.error.code}: {task.error.message}
        </p>
      )}
      <dl className="figures" data-testid="figures">
        <dt>Status</dt>
        <dd data-testid="task-status">{task.status}</dd>
        <dt>Model</dt>
        <dd>{task.model}</dd>
        <dt>Tokens in</dt>
        <dd data-testid="tokens-in">{task.tokensIn}</dd>
        <dt>Tokens out</dt>
        <dd data-testid="tokens-out">{task.tokensOut}</dd>
        <dt>Credits</dt>
        <dd data-testid="credits">{task.credits}</dd>
        <dt>Time to first token</dt>
        <dd data-testid="ttft">{seconds(task.ttftMs)}</dd>
        <dt>Total time</dt>
        <dd>{seconds(task.durationMs)}</dd>
      </dl>
    </li>
  );
}
