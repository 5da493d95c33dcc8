/**
 * Answering what a run waits on: a manual decision (choose an edge, give a reason), human input
 * (a form from the wait node's JSON Schema), a signal (its payload, from the node's schema) or a
 * conversational AI step's next message (the conversation so far and a box).
 * Used on the run page and in the list of everything waiting for a person.
 */
import { useState } from 'react';
import { runActions } from '../../api/client';
import type { FlowNode, RunEvent, RunView, WaitingOn } from '../../api/types';
import { SchemaForm } from '../../forms/schema-form';
import { Conversation } from './conversation';

export interface AnswerProps {
  readonly runId: string;
  readonly waiting: WaitingOn;
  readonly node: FlowNode | undefined;
  readonly onAnswered: (run: RunView) => void;
  /** The run's log, for a conversation's transcript (without it: what the model said last). */
  readonly events?: readonly RunEvent[];
}

function Decision({ runId, waiting, node, onAnswered }: AnswerProps) {
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      className="decision"
      data-testid={`decide-${waiting.nodeId}`}
      onSubmit={async (e) => {
        e.preventDefault();
        if (!to) return setError('choose where the run goes');
        try {
          onAnswered(await runActions.decide(runId, waiting.nodeId, to, reason.trim()));
        } catch (failure) {
          setError((failure as Error).message);
        }
      }}
    >
      {node?.prompt && <p>{node.prompt}</p>}
      <fieldset>
        <legend>Choose the way on</legend>
        {waiting.options?.map((option) => (
          <label key={option}>
            <input
              type="radio"
              name={`to-${runId}-${waiting.nodeId}`}
              value={option}
              checked={to === option}
              onChange={() => setTo(option)}
            />
            {option}
          </label>
        ))}
      </fieldset>
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">Decide</button>
    </form>
  );
}

export function AnswerWait(props: AnswerProps) {
  const { runId, waiting, node, onAnswered, events } = props;
  const title = node?.name ?? waiting.nodeId;
  let body: React.ReactNode;
  if (waiting.waitingFor === 'decision') body = <Decision {...props} />;
  else if (waiting.waitingFor === 'callback')
    body = (
      <SchemaForm
        schema={node?.schema ?? { type: 'object', properties: { data: { type: 'object', title: 'data (JSON)' } } }}
        submitLabel="Send"
        testId={`input-${waiting.nodeId}`}
        onSubmit={async (value) =>
          onAnswered(await runActions.input(runId, waiting.nodeId, node?.schema ? value : (value.data ?? null)))
        }
      />
    );
  else if (waiting.waitingFor === 'message')
    body = <Conversation runId={runId} waiting={waiting} events={events} onAnswered={onAnswered} />;
  else if (waiting.waitingFor === 'signal' && waiting.signal) {
    const signal = waiting.signal;
    body = (
      <SchemaForm
        schema={node?.schema ?? { type: 'object', properties: {} }}
        submitLabel={`Send signal ${signal}`}
        testId={`signal-${waiting.nodeId}`}
        onSubmit={async (value) => onAnswered(await runActions.signal(runId, signal, value))}
      />
    );
  } else body = <p className="muted">Waiting for {waiting.waitingFor}: nothing for a person to answer.</p>;
  return (
    <div className="answer" data-testid={`waiting-${waiting.nodeId}`}>
      <h3>
        {title} <small className="muted">waits for {waiting.waitingFor}</small>
      </h3>
      {body}
    </div>
  );
}
