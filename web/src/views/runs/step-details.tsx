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
      if (found) Object.assign(found, { endedAt: event.at, output: event.data.output });
    } else if (event.type === 'step.failed') {
      const found = bySeq.get(seq);
      if (found) Object.assign(found, { endedAt: event.at, error: event.data.error });
    }
  }
  return [...bySeq.values()];
}

const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value, null, 2));

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
