/**
 * `GET /metrics` in the Prometheus text format: requests by route and status with a latency
 * histogram, open SSE streams, runs by status read from the store at scrape time, and the steps
 * and commits of the runs this process executes (observed-store.ts), and the runs held under
 * lease by every process sharing the store.
 *
 * What a relay can know: it runs no step, so step counters and durations live in the workers'
 * processes (which serve no HTTP); a relay leaves them out rather than show zeros, and reports
 * the store-wide gauges (runs by status, leases), its requests, streams and its own commits.
 */
import { RUN_STATUSES } from '../engine/types.js';
import type { Store } from '../store/store.js';
import type { Histogram, Observed } from './observed-store.js';

const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000];
/** Runs counted per status at a scrape: a bound, so a scrape stays cheap on a large store. */
const COUNT_CAP = 10_000;

export interface ServerMetrics {
  observe(route: string, method: string, status: number, ms: number): void;
  /** `relay`: this process executes no step (its step counters would read zero). */
  render(store: Store, sseClients: number, observed: Observed | undefined, relay: boolean): Promise<string>;
}

interface Series {
  count: number;
  sum: number;
  readonly buckets: number[];
}

const label = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

export function createMetrics(): ServerMetrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Series>();
  return {
    observe(route, method, status, ms) {
      const key = `method="${label(method)}",route="${label(route)}",status="${status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const lkey = `method="${label(method)}",route="${label(route)}"`;
      let series = latency.get(lkey);
      if (!series) {
        series = { count: 0, sum: 0, buckets: BUCKETS_MS.map(() => 0) };
        latency.set(lkey, series);
      }
      series.count += 1;
      series.sum += ms / 1000;
      for (let i = 0; i < BUCKETS_MS.length; i++) if (ms <= BUCKETS_MS[i]) series.buckets[i] += 1;
    },
    async render(store, sseClients, observed, relay) {
      const lines: string[] = [];
      if (observed) renderObserved(lines, observed, relay);
      lines.push('# HELP runloom_runs Runs by status (counted up to 10000 per status).', '# TYPE runloom_runs gauge');
      for (const status of RUN_STATUSES) {
        const runs = await store.listRuns({ status: [status], limit: COUNT_CAP });
        lines.push(`runloom_runs{status="${status}"} ${runs.length}`);
      }
      if (store.leases) {
        lines.push(
          '# HELP runloom_leases Runs held under a live lease by any process sharing the store (workers, servers).',
          '# TYPE runloom_leases gauge',
          `runloom_leases ${await store.leases.countHeld()}`,
        );
      }
      lines.push('# HELP runloom_sse_clients Open Server-Sent Event streams.', '# TYPE runloom_sse_clients gauge');
      lines.push(`runloom_sse_clients ${sseClients}`);
      lines.push(
        '# HELP runloom_http_requests_total HTTP requests by route and status.',
        '# TYPE runloom_http_requests_total counter',
      );
      for (const [key, count] of requests) lines.push(`runloom_http_requests_total{${key}} ${count}`);
      lines.push('# HELP runloom_http_request_duration_seconds HTTP request latency.');
      lines.push('# TYPE runloom_http_request_duration_seconds histogram');
      for (const [key, series] of latency) {
        BUCKETS_MS.forEach((le, i) => {
          lines.push(`runloom_http_request_duration_seconds_bucket{${key},le="${le / 1000}"} ${series.buckets[i]}`);
        });
        lines.push(`runloom_http_request_duration_seconds_bucket{${key},le="+Inf"} ${series.count}`);
        lines.push(`runloom_http_request_duration_seconds_sum{${key}} ${series.sum}`);
        lines.push(`runloom_http_request_duration_seconds_count{${key}} ${series.count}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

function renderHistogram(lines: string[], name: string, help: string, h: Histogram): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  h.bounds.forEach((le, i) => {
    lines.push(`${name}_bucket{le="${le / 1000}"} ${h.counts[i]}`);
  });
  lines.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum / 1000}`, `${name}_count ${h.count}`);
}

function renderObserved(lines: string[], observed: Observed, relay: boolean): void {
  if (!relay) {
    lines.push('# HELP runloom_steps_total Steps of the runs this process executes, by what happened.');
    lines.push('# TYPE runloom_steps_total counter');
    for (const [event, count] of Object.entries(observed.steps)) lines.push(`runloom_steps_total{event="${event}"} ${count}`);
    renderHistogram(lines, 'runloom_step_duration_seconds', 'Duration of finished steps.', observed.stepMs);
  }
  renderHistogram(
    lines,
    'runloom_commit_duration_seconds',
    'Latency of store commits (a batch of checkpoints).',
    observed.commitMs,
  );
}
