/** A run's controls: pause, resume, cancel, retry the failed step, raise its step limit. */
import { useState } from 'react';
import { runActions } from '../../api/client';
import type { RunView } from '../../api/types';

export function RunControls({ run, onChange }: { run: RunView; onChange: (run: RunView) => void }) {
  const [error, setError] = useState<string>();
  const [maxSteps, setMaxSteps] = useState('');
  const act = async (action: () => Promise<RunView>) => {
    try {
      setError(undefined);
      onChange(await action());
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const ended = run.status === 'completed' || run.status === 'cancelled';
  return (
    <fieldset className="controls">
      <legend>Run controls</legend>
      <button type="button" disabled={ended || run.status === 'paused'} onClick={() => act(() => runActions.pause(run.id))}>
        Pause
      </button>
      <button type="button" disabled={run.status !== 'paused'} onClick={() => act(() => runActions.resume(run.id))}>
        Resume
      </button>
      <button type="button" disabled={ended || run.status === 'failed'} onClick={() => act(() => runActions.cancel(run.id))}>
        Cancel
      </button>
      <button type="button" disabled={run.status !== 'failed'} onClick={() => act(() => runActions.retry(run.id))}>
        Retry failed step
      </button>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(maxSteps);
          if (!Number.isInteger(n) || n < 1) return setError('max steps: a whole number above 0');
          act(() => runActions.raiseLimits(run.id, { maxSteps: n }));
        }}
      >
        <label>
          Max steps
          <input
            inputMode="numeric"
            value={maxSteps}
            onChange={(e) => setMaxSteps(e.target.value)}
            placeholder={String(run.limits.maxSteps ?? '')}
            size={8}
          />
        </label>
        <button type="submit">Raise limit</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
