/**
 * A run's log as bars over time: each step from `step.started` to its result, each wait
 * (signal, callback, decision, child) and timer from when it began until its token moved on.
 */
import type { RunEvent } from '../../api/types';

export interface Bar {
  readonly key: string;
  readonly nodeId: string;
  readonly kind: 'step' | 'wait' | 'timer';
  readonly start: number;
  end: number | undefined;
  status: 'open' | 'completed' | 'failed' | 'over';
}

const WAITS = new Set(['wait.started', 'decision.requested', 'child.started']);

export function barsOf(events: readonly RunEvent[]): Bar[] {
  const bars: Bar[] = [];
  const steps = new Map<number, Bar>();
  const waiting = new Map<number, Bar>();
  for (const event of events) {
    const seq = typeof event.data?.seq === 'number' ? event.data.seq : undefined;
    // Anything that happens to a token ends the wait or timer it stood in.
    if (event.token !== undefined) {
      const open = waiting.get(event.token);
      if (open && !(WAITS.has(event.type) || event.type === 'timer.started')) {
        open.end = event.at;
        open.status = 'over';
        waiting.delete(event.token);
      }
    }
    if (event.type === 'step.started' && seq !== undefined) {
      const bar: Bar = {
        key: `s${seq}:${event.seq}`,
        nodeId: event.nodeId ?? '?',
        kind: 'step',
        start: event.at,
        end: undefined,
        status: 'open',
      };
      steps.set(seq, bar);
      bars.push(bar);
    } else if ((event.type === 'step.completed' || event.type === 'step.failed') && seq !== undefined) {
      const bar = steps.get(seq);
      if (bar) {
        bar.end = event.at;
        bar.status = event.type === 'step.completed' ? 'completed' : 'failed';
        steps.delete(seq);
      }
    } else if ((WAITS.has(event.type) || event.type === 'timer.started') && event.token !== undefined) {
      const bar: Bar = {
        key: `w${event.seq}`,
        nodeId: event.nodeId ?? '?',
        kind: event.type === 'timer.started' ? 'timer' : 'wait',
        start: event.at,
        end: undefined,
        status: 'open',
      };
      waiting.set(event.token, bar);
      bars.push(bar);
    } else if (/^run\.(completed|failed|cancelled)$/.test(event.type)) {
      for (const bar of [...steps.values(), ...waiting.values()]) {
        bar.end = event.at;
        bar.status = 'over';
      }
    }
  }
  return bars;
}
