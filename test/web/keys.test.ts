/**
 * The web UI against a server that requires API keys: the key typed into the header is sent
 * with every request, and the live view follows a run through a follow token (the browser's
 * EventSource cannot send the key).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_FLOW } from './flows.js';
import { launch, openPage, type Served, serve } from './support.js';

let served: Served;
let browser: Browser;

beforeAll(async () => {
  served = await serve({ requireKeys: true });
  browser = await launch();
  await served.post('/v1/flows', { flows: [{ flow: REVIEW_FLOW }] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('web UI with API keys', () => {
  it('follows a run live with the key the header keeps', async () => {
    const watched = await openPage(browser, served);
    const { page } = watched;
    const follows: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/events/follow')) follows.push(request.url());
    });
    // The key as the header's field keeps it (typed once, kept in localStorage), there from the first request.
    await page.addInitScript(`localStorage.setItem('runloom.key', ${JSON.stringify(served.key)})`);
    const run = await served.post('/v1/runs', { flowId: 'review', input: {} });
    await page.goto(`${served.url}/runs/${run.id}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('waiting');
    // Answered through the API while the page is open: the page sees it live, without a reload.
    await served.post(`/v1/runs/${run.id}/nodes/check/input`, { data: { approved: true } });
    await expect.poll(() => page.getByTestId('node-check').getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
    await served.post(`/v1/runs/${run.id}/decide`, { nodeId: 'route', to: 'refund' });
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('completed');
    expect(await page.getByTestId('vars').textContent()).toContain('refund');
    // The stream was opened with a follow token, the key nowhere in its URL.
    expect(follows.length).toBeGreaterThan(0);
    for (const url of follows) {
      expect(url).toContain('token=');
      expect(url).not.toContain(served.key as string);
    }
    expect(watched.problems).toEqual([]);
  });
});
