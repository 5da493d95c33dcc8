/**
 * A run's log, live: the events so far (read in pages), then the rest as they happen through
 * `EventSource` on the follow route — which reconnects by itself with `Last-Event-ID`, so nothing
 * is missed and nothing comes twice (a seq already held is skipped). Events arriving faster than
 * the screen redraws are gathered and handed to React once per animation frame.
 */
import { useEffect, useState } from 'react';
import { api, apiKey, runPath } from './client';
import type { RunEvent } from './types';

const PAGE = 10_000;

export interface RunLog {
  readonly events: readonly RunEvent[];
  /** True once the log was read up to the end of the run (or the live stream is open). */
  readonly loaded: boolean;
  readonly ended: boolean;
  readonly error: Error | undefined;
}

export function useRunEvents(runId: string): RunLog {
  const [log, setLog] = useState<RunLog>({ events: [], loaded: false, ended: false, error: undefined });
  useEffect(() => {
    let closed = false;
    let source: EventSource | undefined;
    let frame = 0;
    const held: RunEvent[] = [];
    let pending: RunEvent[] = [];
    let ended = false;
    const flush = () => {
      frame = 0;
      if (closed || pending.length === 0) return;
      held.push(...pending);
      pending = [];
      setLog({ events: held.slice(), loaded: true, ended, error: undefined });
    };
    const take = (event: RunEvent) => {
      const last = pending.at(-1)?.seq ?? held.at(-1)?.seq ?? 0;
      if (event.seq <= last) return;
      pending.push(event);
      if (frame === 0) frame = requestAnimationFrame(flush);
    };
    (async () => {
      try {
        for (;;) {
          const after = held.at(-1)?.seq ?? 0;
          const page = await api<{ events: RunEvent[] }>(`${runPath(runId)}/events?after=${after}&limit=${PAGE}`);
          if (closed) return;
          held.push(...page.events);
          if (page.events.length < PAGE) break;
        }
        const last = held.at(-1);
        ended = last !== undefined && /^run\.(completed|failed|cancelled)$/.test(last.type);
        setLog({ events: held.slice(), loaded: true, ended, error: undefined });
        if (ended) return;
        // EventSource sends no Authorization header: with a key, a short-lived token for this
        // run's stream stands for it.
        const token = apiKey.get()
          ? `&token=${encodeURIComponent((await api<{ token: string }>(`${runPath(runId)}/follow-token`, { method: 'POST' })).token)}`
          : '';
        if (closed) return;
        source = new EventSource(`${runPath(runId)}/events/follow?after=${last?.seq ?? 0}${token}`);
        source.addEventListener('run-event', (message) => take(JSON.parse((message as MessageEvent<string>).data)));
        source.addEventListener('end', () => {
          ended = true;
          source?.close();
          if (frame !== 0) cancelAnimationFrame(frame);
          flush();
          setLog((current) => ({ ...current, ended: true }));
        });
      } catch (error) {
        if (!closed) setLog((current) => ({ ...current, error: error as Error }));
      }
    })();
    return () => {
      closed = true;
      source?.close();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [runId]);
  return log;
}
