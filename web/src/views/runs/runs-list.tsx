/** Runs: newest first, filtered by status and flow, their status kept live (polled each second). */
import { useState } from 'react';
import type { RunStatus, RunSummary } from '../../api/types';
import { useApi } from '../../api/use-api';
import { Link, navigate } from '../../app/router';

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'paused', 'completed', 'failed', 'cancelled'];

export function RunsList() {
  const query = new URLSearchParams(location.search);
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [flowId, setFlowId] = useState(query.get('flowId') ?? '');
  const filter = new URLSearchParams();
  if (status) filter.set('status', status);
  if (flowId.trim()) filter.set('flowId', flowId.trim());
  const { data, error } = useApi<{ runs: RunSummary[] }>(`/v1/runs?${filter}`, 1000);
  const apply = (next: URLSearchParams) => history.replaceState(null, '', `/runs${next.size ? `?${next}` : ''}`);
  return (
    <section>
      <h1>Runs</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(filter);
        }}
      >
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Flow
          <input value={flowId} onChange={(e) => setFlowId(e.target.value)} placeholder="any flow id" />
        </label>
      </form>
      {error && <p className="error">{error.message}</p>}
      {data && data.runs.length === 0 && <p className="muted">No runs match.</p>}
      {data && data.runs.length > 0 && (
        <table data-testid="runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Flow</th>
              <th>Status</th>
              <th>Reason</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {data.runs.map((run) => (
              <tr key={run.id} onDoubleClick={() => navigate(`/runs/${run.id}`)}>
                <td>
                  <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.id}</Link>
                </td>
                <td>
                  {run.flowId} v{run.flowVersion}
                </td>
                <td>
                  <span className={`status status-${run.status}`}>{run.status}</span>
                </td>
                <td>{run.reason}</td>
                <td>{new Date(run.createdAt).toLocaleTimeString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
