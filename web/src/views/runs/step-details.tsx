/**
 * One node's steps as the log tells them: each attempt's input, output or error, when and how
 * long; with the run's usage so far.
 */
import type { ErrorInfo, RunEvent, RunView } from '../../api/types';

interface Attempt {
  seq: number;
  attempt: number;
  input: unknown;
  startedAt: number;
  endedAt?: number;
  output?: unknown;
  error?: { code: string; message: string };
  /** How the step ran, as its executor reported it (an AI step: strategy, model, tokens, credits), as one line. */
  usage?: string;
}

function attemptsOf(events: readonly RunEvent[], nodeId: string): Attempt[] {
  const bySeq = new Map<number, Attempt>();
  for (const event of events) {
    if (event.nodeId !== nodeId || typeof event.data?.seq !== 'number') continue;
    const seq = event.data.seq;
    if (event.type === 'step.started') {
      bySeq.set(seq, { seq, attempt: Number(event.data.attempt ?? 1), input: event.data.input, startedAt: event.at });
    } else if (event.type === 'step.completed') {
      const found = bySeq.get(seq);
      if (found) Object.assign(found, { endedAt: event.at, output: event.data.output, usage: usageLine(event.data.detail) });
    } else if (event.type === 'step.failed') {
      const found = bySeq.get(seq);
      if (found) Object.assign(found, { endedAt: event.at, error: event.data.error, usage: usageLine(event.data.detail) });
    }
  }
  return [...bySeq.values()];
}

const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value, null, 2));

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

/** An AI step's account, in the order a person reads it: how it was run, by what, for how much. */
function usageLine(detail: unknown): string | undefined {
  if (detail === null || typeof detail !== 'object') return undefined;
  const parts = usageParts(detail as Record<string, unknown>);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function usageParts(detail: Record<string, unknown>): string[] {
  const parts: string[] = [];
  const strategy = text(detail.strategy);
  if (strategy) parts.push(`strategy ${strategy}${text(detail.strategyReason) ? ` (${detail.strategyReason})` : ''}`);
  const model = text(detail.model);
  if (model) parts.push(`model ${model}${text(detail.modelId) && detail.modelId !== model ? ` = ${detail.modelId}` : ''}`);
  if (typeof detail.modelCalls === 'number') parts.push(`${detail.modelCalls} model call${detail.modelCalls === 1 ? '' : 's'}`);
  if (typeof detail.tokensIn === 'number' && typeof detail.tokensOut === 'number') {
    parts.push(`${detail.tokensIn} tokens in / ${detail.tokensOut} out${detail.usageEstimated ? ' (estimated)' : ''}`);
  }
  if (typeof detail.credits === 'number') parts.push(`${detail.credits} credits`);
  if (typeof detail.ttftMs === 'number' && model) parts.push(`first token ${detail.ttftMs} ms`);
  if (Array.isArray(detail.toolCalls))
    parts.push(`${detail.toolCalls.length} tool call${detail.toolCalls.length === 1 ? '' : 's'}`);
  return parts;
}

export interface StepDetailsProps {
  readonly events: readonly RunEvent[];
  readonly nodeId: string;
  readonly run: RunView;
  /** What the run's state holds for the node: an error there may come before any step started (its input). */
  readonly nodeError?: ErrorInfo;
}

export function StepDetails({ events, nodeId, run, nodeError }: StepDetailsProps) {
  const attempts = attemptsOf(events, nodeId);
  return (
    <section className="step-details" data-testid="step-details" aria-label={`Steps of ${nodeId}`}>
      <h3>{nodeId}</h3>
      <p className="muted">
        Run usage so far: {run.usage.steps} steps, {run.usage.credits} credits
      </p>
      {nodeError && (
        <p className="error" data-testid="node-error">
          {nodeError.code}: {nodeError.message}
        </p>
      )}
      {attempts.length === 0 && <p className="muted">No step of this node in the log (yet).</p>}
      {attempts.map((a) => (
        <article key={a.seq} className={a.error ? 'attempt failed' : 'attempt'}>
          <h4>
            Attempt {a.attempt} · step {a.seq} · {a.endedAt === undefined ? 'running' : `${a.endedAt - a.startedAt} ms`}
          </h4>
          {a.usage && (
            <p className="step-usage" data-testid="step-usage">
              {a.usage}
            </p>
          )}
          <div className="io">
            <div>
              <strong>Input</strong>
              <pre>{show(a.input)}</pre>
            </div>
            <div>
              <strong>{a.error ? 'Error' : 'Output'}</strong>
              <pre className={a.error ? 'error' : ''} data-testid={a.error ? 'step-error' : 'step-output'}>
                {a.error ? `${a.error.code}: ${a.error.message}` : show(a.output)}
              </pre>
            </div>
          </div>
        </article>
      ))}
    </section>
  );
}
