/**
 * The prompt playground (F4.5): the workspace's prompt templates; pick one (and a version) to
 * see its model, system and message templates and start a prompt run from a form of its typed
 * variables (defaults filled in); reopen any prompt run by id, or from the recent ones.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { PromptRun, PromptSummary, PromptVersion } from '../../api/prompt-types';
import { useApi } from '../../api/use-api';
import { Link, navigate } from '../../app/router';
import { SchemaForm } from '../../forms/schema-form';
import { promptRunPath } from './paths';
import { variablesSchema } from './variables-schema';

function Template({ promptId, version }: { promptId: string; version: number | undefined }) {
  const path = `/v1/prompts/${encodeURIComponent(promptId)}${version ? `?version=${version}` : ''}`;
  const { data, error } = useApi<PromptVersion>(path);
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const { definition } = data;
  async function start(values: Record<string, unknown>) {
    if (!data) return;
    const run = await api<PromptRun>('/v1/prompt-runs', {
      method: 'POST',
      body: { prompt: data.promptId, version: data.version, values },
    });
    navigate(promptRunPath(run.id));
  }
  return (
    <div data-testid="template">
      <h2>
        {definition.name ?? data.promptId} v{data.version}
      </h2>
      {definition.description && <p>{definition.description}</p>}
      <dl className="template">
        <dt>Model</dt>
        <dd>{definition.model ?? 'default'}</dd>
        {definition.system !== undefined && (
          <>
            <dt>System</dt>
            <dd>
              <pre>{definition.system}</pre>
            </dd>
          </>
        )}
        <dt>Message</dt>
        <dd>
          {definition.message === undefined ? (
            <span className="muted">none: the user writes</span>
          ) : (
            <pre>{definition.message}</pre>
          )}
        </dd>
      </dl>
      <h3>Variables</h3>
      <SchemaForm
        key={path}
        schema={variablesSchema(data)}
        submitLabel="Start prompt run"
        onSubmit={start}
        testId="variables-form"
      />
    </div>
  );
}

function ReopenById() {
  const [id, setId] = useState('');
  const open = (event: FormEvent) => {
    event.preventDefault();
    if (id.trim()) navigate(promptRunPath(id.trim()));
  };
  return (
    <form onSubmit={open} className="inline-form">
      <label>
        Prompt run id <input value={id} onChange={(e) => setId(e.target.value)} placeholder="pr_…" />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}

export function PromptsPage() {
  const prompts = useApi<{ prompts: PromptSummary[] }>('/v1/prompts');
  const runs = useApi<{ runs: PromptRun[] }>('/v1/prompt-runs?limit=20');
  const [picked, setPicked] = useState<{ promptId: string; version?: number }>();
  const latest = prompts.data?.prompts.find((p) => p.promptId === picked?.promptId)?.latestVersion ?? 0;
  return (
    <section>
      <h1>Prompts</h1>
      {prompts.error && <p className="error">{prompts.error.message}</p>}
      {prompts.data?.prompts.length === 0 && <p className="muted">No prompts yet: publish one with `runloom prompts push`.</p>}
      <div className="columns">
        <div>
          {picked ? (
            <>
              <label>
                Version{' '}
                <select
                  value={picked.version ?? ''}
                  onChange={(e) => setPicked({ ...picked, version: e.target.value ? Number(e.target.value) : undefined })}
                >
                  <option value="">latest</option>
                  {Array.from({ length: latest }, (_, i) => latest - i).map((v) => (
                    <option key={v} value={v}>
                      v{v}
                    </option>
                  ))}
                </select>
              </label>
              <Template promptId={picked.promptId} version={picked.version} />
            </>
          ) : (
            <p className="muted">Pick a prompt template.</p>
          )}
        </div>
        <aside>
          <ul className="picker" aria-label="Prompt templates">
            {prompts.data?.prompts.map((p) => (
              <li key={p.promptId}>
                <button
                  type="button"
                  aria-pressed={picked?.promptId === p.promptId}
                  onClick={() => setPicked({ promptId: p.promptId })}
                >
                  {p.promptId}
                </button>{' '}
                <span className="muted">v{p.latestVersion}</span>
              </li>
            ))}
          </ul>
          <ReopenById />
        </aside>
      </div>
      <h2>Recent prompt runs</h2>
      {runs.error && <p className="error">{runs.error.message}</p>}
      <table>
        <thead>
          <tr>
            <th>Prompt run</th>
            <th>Prompt</th>
            <th>Messages</th>
            <th>Tokens in / out</th>
            <th>Credits</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.runs.map((run) => (
            <tr key={run.id}>
              <td>
                <Link to={promptRunPath(run.id)}>{run.id}</Link>
              </td>
              <td>
                {run.promptId} v{run.promptVersion}
              </td>
              <td>{run.tasks}</td>
              <td>
                {run.totals.tokensIn} / {run.totals.tokensOut}
              </td>
              <td>{run.totals.credits}</td>
              <td>{new Date(run.updatedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
