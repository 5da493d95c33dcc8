/** Flows: every flow of the workspace with its latest version and whether a draft waits. */

import type { FlowSummary } from '../../api/types';
import { useApi } from '../../api/use-api';
import { Link } from '../../app/router';

export function FlowsList() {
  const { data, error } = useApi<{ flows: FlowSummary[] }>('/v1/flows');
  return (
    <section>
      <h1>Flows</h1>
      {error && <p className="error">{error.message}</p>}
      {data && data.flows.length === 0 && <p className="muted">No flows yet: publish one with `runloom flows publish`.</p>}
      {data && data.flows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Flow</th>
              <th>Name</th>
              <th>Latest version</th>
              <th>Draft</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {data.flows.map((flow) => (
              <tr key={flow.flowId}>
                <td>
                  <Link to={`/flows/${encodeURIComponent(flow.flowId)}`}>{flow.flowId}</Link>
                </td>
                <td>{flow.name ?? ''}</td>
                <td>{flow.latestVersion ?? '—'}</td>
                <td>{flow.hasDraft ? 'yes' : ''}</td>
                <td>{new Date(flow.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
