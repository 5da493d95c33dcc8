/** The timeline: steps, waits and timers as bars over time, one row per node (hover: how long). */
import { useMemo } from 'react';
import type { RunEvent } from '../../api/types';
import { barsOf } from './timeline-bars';

const ROW = 18;
const LABEL = 120;
const WIDTH = 720;
/** Beyond this, the oldest bars are left out of the drawing (the log itself keeps them all). */
const MAX_BARS = 600;

export function Timeline({ events }: { events: readonly RunEvent[] }) {
  const bars = useMemo(() => barsOf(events).slice(-MAX_BARS), [events]);
  if (bars.length === 0) return <p className="muted">No steps yet.</p>;
  const first = bars[0].start;
  const last = Math.max(events.at(-1)?.at ?? first, ...bars.map((bar) => bar.end ?? bar.start)) || first + 1;
  const span = Math.max(last - first, 1);
  const rows = [...new Set(bars.map((bar) => bar.nodeId))];
  const x = (at: number) => LABEL + ((at - first) / span) * (WIDTH - LABEL - 8);
  return (
    <svg
      className="timeline"
      width={WIDTH}
      height={rows.length * ROW + 20}
      role="img"
      aria-label="Timeline of steps, waits and timers"
    >
      {rows.map((nodeId, i) => (
        <text key={nodeId} x={4} y={i * ROW + 13} className="row-label">
          {nodeId}
        </text>
      ))}
      {bars.map((bar) => {
        const row = rows.indexOf(bar.nodeId);
        const end = bar.end ?? last;
        return (
          <rect
            key={bar.key}
            data-testid={`bar-${bar.kind}-${bar.nodeId}`}
            className={`bar bar-${bar.kind} bar-${bar.status}`}
            x={x(bar.start)}
            y={row * ROW + 3}
            width={Math.max(x(end) - x(bar.start), 3)}
            height={ROW - 6}
          >
            <title>
              {bar.kind} {bar.nodeId}: {end - bar.start} ms ({bar.status})
            </title>
          </rect>
        );
      })}
      <text x={LABEL} y={rows.length * ROW + 16} className="axis">
        0 ms
      </text>
      <text x={WIDTH - 60} y={rows.length * ROW + 16} className="axis">
        {span} ms
      </text>
    </svg>
  );
}
