/** The run's latest events (the newest 200: the whole log is on the timeline and the slider). */
import type { RunEvent } from '../../api/types';

const SHOWN = 200;

export function EventList({ events, at }: { events: readonly RunEvent[]; at: number | undefined }) {
  const upTo = at === undefined ? events : events.filter((e) => e.seq <= at);
  const shown = upTo.slice(-SHOWN).reverse();
  return (
    <section>
      <h2>Events</h2>
      <ul className="events" data-testid="events">
        {shown.map((event) => (
          <li key={event.seq} className={`event event-${event.type.replace('.', '-')}`}>
            <span className="seq">{event.seq}</span> {event.type}
            {event.nodeId ? ` · ${event.nodeId}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
