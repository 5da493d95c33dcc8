/**
 * One flow: its versions, the graph of the one chosen, the problems of its draft pinned to the
 * draft's nodes, and a form generated from the version's input schema that starts a run.
 */

import { runActions } from '../../api/client';
import type { FlowSummary, FlowVersion } from '../../api/types';
import { useApi } from '../../api/use-api';
import { Link, navigate } from '../../app/router';
import { SchemaForm } from '../../forms/schema-form';
import { FlowGraph } from '../../graph/flow-graph';
import { DraftProblems } from './draft-problems';

export function FlowPage({ params }: { params: Record<string, string> }) {
  const flowPath = `/v1/flows/${encodeURIComponent(params.flowId)}`;
  const latest = useApi<FlowVersion>(flowPath);
  const chosen = params.version ? Number(params.version) : latest.data?.version;
  const version = useApi<FlowVersion>(params.version ? `${flowPath}/versions/${encodeURIComponent(params.version)}` : null);
  const shown = params.version ? version.data : latest.data;
  const error = latest.error ?? version.error;
  // Only a flow with a draft is asked for it: a 404 would be noise in the browser's console.
  const summaries = useApi<{ flows: FlowSummary[] }>('/v1/flows');
  const hasDraft = summaries.data?.flows.some((flow) => flow.flowId === params.flowId && flow.hasDraft) ?? false;
  return (
    <section>
      <h1>
        {shown?.definition.name ?? params.flowId} <small className="muted">{params.flowId}</small>
      </h1>
      {error && <p className="error">{error.message}</p>}
      {latest.data && (
        <nav className="versions" aria-label="Versions">
          Versions:{' '}
          {Array.from({ length: latest.data.version }, (_, i) => latest.data!.version - i).map((v) => (
            <Link
              key={v}
              to={`/flows/${encodeURIComponent(params.flowId)}/versions/${v}`}
              aria-current={v === chosen ? 'page' : undefined}
            >
              v{v}
            </Link>
          ))}
          <Link to={`/runs?flowId=${encodeURIComponent(params.flowId)}`}>its runs</Link>
        </nav>
      )}
      {shown && (
        <div className="columns">
          <div className="main-column">
            {shown.definition.description && <p>{shown.definition.description}</p>}
            <FlowGraph definition={shown.definition} />
          </div>
          <aside>
            <h2>Start a run of v{shown.version}</h2>
            <SchemaForm
              schema={shown.definition.inputs}
              submitLabel="Start run"
              testId="start-form"
              onSubmit={async (input) => {
                const run = await runActions.start(shown.flowId, shown.version, input);
                navigate(`/runs/${encodeURIComponent(run.id)}`);
              }}
            />
          </aside>
        </div>
      )}
      {hasDraft && <DraftProblems flowId={params.flowId} />}
    </section>
  );
}
