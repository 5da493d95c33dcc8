/** A flow's draft, validated as publishing would: every problem listed and pinned to its node. */
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { FlowDefinition, FlowProblem } from '../../api/types';
import { FlowGraph } from '../../graph/flow-graph';
import { problemsByNode } from './problems';

export function DraftProblems({ flowId }: { flowId: string }) {
  const [draft, setDraft] = useState<{ definition: FlowDefinition; problems: FlowProblem[] }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stale = false;
    (async () => {
      const found = await api<{ definition: FlowDefinition }>(`/v1/flows/${encodeURIComponent(flowId)}/draft`);
      if (stale) return;
      const { problems } = await api<{ problems: FlowProblem[] }>('/v1/flows/validate', {
        method: 'POST',
        body: { flow: found.definition },
      });
      if (!stale) setDraft({ definition: found.definition, problems });
    })().catch((failure: Error) => !stale && setError(failure.message));
    return () => {
      stale = true;
    };
  }, [flowId]);
  const pinned = useMemo(() => (draft ? problemsByNode(draft.definition, draft.problems) : undefined), [draft]);
  if (error) return <p className="error">{error}</p>;
  if (!draft || !pinned) return null;
  return (
    <section className="draft" data-testid="draft">
      <h2>Draft {draft.problems.length === 0 ? '(valid)' : `(${draft.problems.length} problems)`}</h2>
      {draft.problems.length > 0 && (
        <ul className="problems">
          {draft.problems.map((problem) => (
            <li key={`${problem.path}:${problem.code}`}>
              <code>{problem.path || '(root)'}</code> [{problem.code}] {problem.message}
            </li>
          ))}
        </ul>
      )}
      <FlowGraph definition={draft.definition} problemsByNode={pinned} />
    </section>
  );
}
