/** The runtime's cache of runs that ended: only those that can never change, and a bounded number. */
import { describe, expect, it } from 'vitest';
import { RecentRuns } from '../../src/runtime/recent-runs.js';
import { runState } from '../store/fixtures.js';

describe('RecentRuns', () => {
  it('keeps completed and cancelled runs only: a failed run can be retried, a parked one signalled', () => {
    const recent = new RecentRuns(10);
    for (const status of ['completed', 'cancelled', 'failed', 'waiting', 'paused'] as const) {
      recent.remember(runState({ id: status, status }));
    }
    expect(recent.get('completed')?.status).toBe('completed');
    expect(recent.get('cancelled')?.status).toBe('cancelled');
    expect(recent.get('failed')).toBeUndefined();
    expect(recent.get('waiting')).toBeUndefined();
    expect(recent.get('paused')).toBeUndefined();
  });

  it('lets the oldest go when full; remembering a run again makes it the newest', () => {
    const recent = new RecentRuns(3);
    for (const id of ['a', 'b', 'c']) recent.remember(runState({ id, status: 'completed' }));
    recent.remember(runState({ id: 'a', status: 'completed' }));
    recent.remember(runState({ id: 'd', status: 'completed' }));
    expect(['a', 'b', 'c', 'd'].map((id) => recent.get(id) !== undefined)).toEqual([true, false, true, true]);
  });
});
