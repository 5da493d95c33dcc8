/** Everything waiting for a person: each waiting run's decisions, inputs and signals, answerable here. */

import type { FlowVersion, RunSummary, RunView } from '../../api/types';
import { useApi } from '../../api/use-api';
import { Link } from '../../app/router';
import { AnswerWait } from './answer-wait';

const PERSON = new Set(['decision', 'callback', 'signal']);

function WaitingRun({ summary, onAnswered }: { summary: RunSummary; onAnswered: () => void }) {
  const run = useApi<RunView>(`/v1/runs/${encodeURIComponent(summary.id)}`);
  const flow = useApi<FlowVersion>(`/v1/flows/${encodeURIComponent(summary.flowId)}/versions/${summary.flowVersion}`);
  const waits = run.data?.waitingOn.filter((w) => PERSON.has(w.waitingFor)) ?? [];
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
          onAnswered={() => {
            run.reload();
            onAnswered();
          }}
        />
      ))}
    </li>
  );
}

export function PeopleInbox() {
  const { data, error, reload } = useApi<{ runs: RunSummary[] }>('/v1/runs?status=waiting', 2000);
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
