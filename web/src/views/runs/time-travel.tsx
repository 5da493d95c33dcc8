/**
 * The slider over a run's events: moved back, the page shows the graph and state as of that
 * event (folded by the server as replay does); "Fork from here" starts a new run from it.
 */
import { useState } from 'react';
import { runActions } from '../../api/client';
import type { RunEvent } from '../../api/types';
import { navigate } from '../../app/router';

export interface TimeTravelProps {
  readonly runId: string;
  readonly events: readonly RunEvent[];
  /** The event shown; undefined: live (the latest). */
  readonly at: number | undefined;
  readonly onMove: (at: number | undefined) => void;
}

export function TimeTravel({ runId, events, at, onMove }: TimeTravelProps) {
  const [error, setError] = useState<string>();
  const last = events.at(-1)?.seq ?? 0;
  const shown = at ?? last;
  const event = events.find((e) => e.seq === shown);
  if (last === 0) return null;
  return (
    <div className="time-travel" data-testid="time-travel">
      <label>
        Event <output data-testid="at">{shown}</output> of {last}
        <input
          type="range"
          min={1}
          max={last}
          value={shown}
          aria-label="Event to show"
          onChange={(e) => {
            const n = Number(e.target.value);
            onMove(n >= last ? undefined : n);
          }}
        />
      </label>
      <span className="muted">{event ? `${event.type}${event.nodeId ? ` · ${event.nodeId}` : ''}` : ''}</span>
      {at !== undefined && (
        <button type="button" onClick={() => onMove(undefined)}>
          Back to live
        </button>
      )}
      <button
        type="button"
        onClick={async () => {
          try {
            setError(undefined);
            const fork = await runActions.fork(runId, shown);
            navigate(`/runs/${encodeURIComponent(fork.id)}`);
          } catch (failure) {
            setError((failure as Error).message);
          }
        }}
      >
        Fork from event {shown}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
