/**
 * Everything waiting for a person: each waiting run's decisions, inputs, signals and conversations,
 * answerable here. A conversation's transcript is read from the run's log, polled while it waits.
 */

import type { FlowVersion, RunEvent, RunSummary, RunView } from '../../api/types';
import { useApi } from '../../api/use-api';
import { Link } from '../../app/router';
import { AnswerWait } from './answer-wait';

const PERSON = new Set(['decision', 'callback', 'signal', 'message']);
const POLL = 2000;

function WaitingRun({ summary, onAnswered }: { summary: RunSummary; onAnswered: () => void }) {
  const path = `/v1/runs/${encodeURIComponent(summary.id)}`;
  // Polled like the list: a conversation's reply comes while the person looks at it.
  const run = useApi<RunView>(path, POLL);
  const flow = useApi<FlowVersion>(`/v1/flows/${encodeURIComponent(summary.flowId)}/versions/${summary.flowVersion}`);
  const waits = run.data?.waitingOn.filter((w) => PERSON.has(w.waitingFor)) ?? [];
  const talking = waits.some((w) => w.waitingFor === 'message');
  const log = useApi<{ events: RunEvent[] }>(talking ? `${path}/events?after=0&limit=10000` : null, POLL);
  if (!run.data || waits.length === 0) return null;
  return (
    <li className="waiting-run">
      <p>
        <Link to={`/runs/${encodeURIComponent(summary.id)}`}>{summary.id}</Link> · {summary.flowId} v{summary.flowVersion} · since{' '}
        {new Date(summary.updatedAt).toLocaleTimeString()}
      </p>
      {waits.map((waiting) => (
        <AnswerWait
          key={waiting.nodeId}
          runId={summary.id}
          waiting={waiting}
          node={flow.data?.definition.nodes?.find((n) => n.id === waiting.nodeId)}
          events={log.data?.events}
          onAnswered={() => {
            run.reload();
            log.reload();
            onAnswered();
          }}
        />
      ))}
    </li>
  );
}

export function PeopleInbox() {
  const { data, error, reload } = useApi<{ runs: RunSummary[] }>('/v1/runs?status=waiting', POLL);
  return (
    <section>
      <h1>Waiting for people</h1>
      {error && <p className="error">{error.message}</p>}
      {data && data.runs.length === 0 && <p className="muted">Nothing waits for a person.</p>}
      <ul className="inbox" data-testid="inbox">
        {data?.runs.map((summary) => (
          <WaitingRun key={summary.id} summary={summary} onAnswered={reload} />
        ))}
      </ul>
    </section>
  );
}
