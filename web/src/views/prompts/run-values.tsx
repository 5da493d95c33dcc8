/**
 * A prompt run's own values, editable between messages (`POST /v1/prompt-runs/:id/values`): the
 * next message is rendered with them; the ones sent before keep what they were rendered with.
 */
import { api } from '../../api/client';
import type { PromptRun, PromptVersion } from '../../api/prompt-types';
import { useApi } from '../../api/use-api';
import { SchemaForm } from '../../forms/schema-form';
import { variablesSchema } from './variables-schema';

export function RunValues({ run, onChanged }: { run: PromptRun; onChanged: () => void }) {
  const path = `/v1/prompts/${encodeURIComponent(run.promptId)}?version=${run.promptVersion}`;
  const { data, error } = useApi<PromptVersion>(path);
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return null;
  async function save(values: Record<string, unknown>) {
    await api(`/v1/prompt-runs/${encodeURIComponent(run.id)}/values`, { method: 'POST', body: { values } });
    onChanged();
  }
  return (
    <details className="run-values">
      <summary>Values for the next messages</summary>
      <SchemaForm
        key={JSON.stringify(run.values)}
        schema={variablesSchema(data, run.values)}
        submitLabel="Set values"
        onSubmit={save}
        testId="values-form"
      />
    </details>
  );
}
