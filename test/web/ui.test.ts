/**
 * The web UI in a real browser against a real `runloom serve` (F7.4): start a run from the form
 * and watch it complete live, answer a wait and a manual decision, time-travel and fork, see a
 * failed step's error — asserting what a person sees. Screenshots of each view go to docs/ui/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHARGE_FLOW, GREET_FLOW, REVIEW_FLOW } from './flows.js';
import { launch, pagePerTest, SCREENSHOTS, type Served, serve } from './support.js';

let served: Served;
let browser: Browser;

beforeAll(async () => {
  served = await serve();
  browser = await launch();
  await served.post('/v1/flows', { flows: [GREET_FLOW, REVIEW_FLOW, CHARGE_FLOW].map((flow) => ({ flow })) });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});
const pages = pagePerTest(() => ({ browser, served }));
afterEach(pages.check);
const open = pages.open;

const nodeState = (page: Page, nodeId: string) => page.getByTestId(`node-${nodeId}`).getAttribute('data-state');
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

describe('web UI', () => {
  it('lists flows, draws a version with its kinds and conditions, starts a run from the form and watches it complete live', async () => {
    const page = await open('/');
    await page.getByRole('link', { name: 'greet' }).click();
    await expect.poll(() => page.getByTestId('node-pause').textContent()).toContain('Take a breath');
    expect(await page.getByTestId('node-big').getAttribute('class')).toContain('kind-decision');
    expect(await page.getByTestId('node-start').getAttribute('class')).toContain('kind-start');
    await expect
      .poll(() => page.locator('.react-flow__edge-text').allTextContents())
      .toEqual(expect.arrayContaining(['input.times > 2', 'default']));
    await shot(page, 'flow');

    // A draft with mistakes: each problem is listed and pinned to the node it is about.
    const draft = {
      ...GREET_FLOW,
      nodes: GREET_FLOW.nodes.map((node) => (node.id === 'hello' ? { ...node, action: 'no.such.action' } : node)),
    };
    await served.post('/v1/flows/drafts', { flow: draft });
    await page.reload();
    const section = page.getByTestId('draft');
    await expect.poll(() => section.textContent()).toContain('no.such.action');
    expect(await section.getByTestId('node-hello').getAttribute('class')).toContain('has-problems');
    expect(await section.getByTestId('node-pause').getAttribute('class')).not.toContain('has-problems');
    await section.screenshot({ path: join(SCREENSHOTS, 'flow-draft-problems.png') });

    const form = page.getByTestId('start-form');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('name: required');
    await form.getByLabel('times').fill('two');
    await form.getByLabel('name').fill('Ada');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('times: expected a whole number');
    await form.getByLabel('times').fill('3');
    // Keyboard only: Enter in a field submits the form.
    await form.getByLabel('times').press('Enter');

    await page.waitForURL(/\/runs\/run_/);
    // While the delay step runs, the page shows it running; then the run completes, live.
    await expect.poll(() => nodeState(page, 'pause'), { timeout: 5_000 }).toBe('running');
    expect(await page.getByTestId('run-status').textContent()).toBe('running');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('completed');
    await expect.poll(() => nodeState(page, 'shout')).toBe('done');
    expect(await nodeState(page, 'hello')).toBe('done');
    expect(await page.getByTestId('percent').textContent()).toBe('100%');
    expect(await page.getByTestId('vars').textContent()).toContain('Hello Ada');
    expect(await page.getByTestId('bar-step-pause').count()).toBe(1);
    await page.getByLabel('Node to inspect').selectOption('hello');
    expect(await page.getByTestId('step-output').textContent()).toContain('Hello Ada');
    await shot(page, 'run');

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('combobox').first().selectOption('completed');
    await expect.poll(() => page.getByTestId('runs').textContent()).toContain('greet v1');
    await shot(page, 'runs');
  });

  it('answers a wait with a form from its schema and a manual decision with a reason, from the list of what waits', async () => {
    const run = await served.post('/v1/runs', { flowId: 'review', input: {} });
    const page = await open('/people');
    const waiting = page.getByTestId('waiting-check');
    await expect.poll(() => waiting.textContent()).toContain('Check the claim');
    await waiting.getByLabel('approved').check();
    await waiting.getByLabel('note').fill('receipt attached');
    await shot(page, 'people');
    await waiting.getByRole('button', { name: 'Send' }).click();

    const decision = page.getByTestId('waiting-route');
    await expect.poll(() => decision.textContent(), { timeout: 5_000 }).toContain('Refund or voucher?');
    await decision.getByLabel('voucher').check();
    await decision.getByLabel('Reason').fill('customer asked');
    await decision.getByRole('button', { name: 'Decide' }).click();
    await expect.poll(() => page.getByText('Nothing waits for a person.').count(), { timeout: 5_000 }).toBe(1);

    const done = await served.get(`/v1/runs/${run.id}`);
    expect(done.status).toBe('completed');
    expect(done.vars).toMatchObject({ check: { approved: true, note: 'receipt attached' }, result: { paid: 'voucher' } });
    const events = await served.get(`/v1/runs/${run.id}/events`);
    const decided = events.events.find((e: { type: string }) => e.type === 'decision.made');
    expect(decided.data).toMatchObject({ to: 'voucher', reason: 'customer asked', by: 'ui' });
  });

  it('time-travels to an earlier event and forks a new run from there', async () => {
    const run = await served.post('/v1/runs', { flowId: 'review', input: {} });
    await served.post(`/v1/runs/${run.id}/nodes/check/input`, { data: { approved: false } });
    await served.post(`/v1/runs/${run.id}/decide`, { nodeId: 'route', to: 'refund' });
    const page = await open(`/runs/${run.id}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('completed');
    expect(await nodeState(page, 'refund')).toBe('done');

    const log = (await served.get(`/v1/runs/${run.id}/events`)).events as { seq: number; type: string }[];
    const waitingAt = log.find((e) => e.type === 'run.waiting')?.seq ?? 0;
    const slider = page.getByLabel('Event to show');
    await slider.focus();
    await page.keyboard.press('Home');
    for (let i = 1; i < waitingAt; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('at').textContent()).toBe(String(waitingAt));
    await expect.poll(() => nodeState(page, 'check')).toBe('waiting');
    expect(await nodeState(page, 'refund')).toBe('idle');
    expect(await page.getByTestId('run-status').textContent()).toBe('waiting');
    expect(await page.getByTestId('vars').textContent()).not.toContain('approved');
    await shot(page, 'time-travel');

    await page.getByRole('button', { name: `Fork from event ${waitingAt}` }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(run.id));
    await expect.poll(() => page.getByTestId('fork-of').textContent()).toContain(`${run.id} at event ${waitingAt}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('waiting');
    expect(await nodeState(page, 'check')).toBe('waiting');
    const fork = page.getByTestId('waiting-check');
    await fork.getByLabel('approved').check();
    await fork.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('waiting-route').getByLabel('voucher').check();
    await page.getByTestId('waiting-route').getByRole('button', { name: 'Decide' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 5_000 }).toBe('completed');
    expect(await nodeState(page, 'voucher')).toBe('done');
    expect(await nodeState(page, 'refund')).toBe('idle');
    expect((await served.get(`/v1/runs/${run.id}`)).vars.result).toEqual({ paid: 'refund' });
  });

  it("shows a failed step's error on the run, on its node and in its details", async () => {
    const run = await served.post('/v1/runs', { flowId: 'charge', input: {} });
    const page = await open(`/runs/${run.id}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('failed');
    expect(await page.getByTestId('run-error').textContent()).toContain('card declined');
    expect(await nodeState(page, 'charge')).toBe('failed');
    expect(await nodeState(page, 'prepare')).toBe('done');
    await page.getByLabel('Node to inspect').selectOption('charge');
    await expect.poll(() => page.getByTestId('step-details').textContent()).toContain('card declined');
    // The controls a failed run allows: retry yes, resume no.
    expect(await page.getByRole('button', { name: 'Retry failed step' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(false);
    await shot(page, 'failed-step');
  });
  it('pauses, resumes, raises the step limit and cancels a run from its controls', async () => {
    const run = await served.post('/v1/runs', { flowId: 'review', input: {} });
    const page = await open(`/runs/${run.id}`);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('waiting');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('waiting');
    await page.getByLabel('Max steps').fill('0');
    await page.getByRole('button', { name: 'Raise limit' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('max steps: a whole number above 0');
    await page.getByLabel('Max steps').fill('5000');
    await page.getByRole('button', { name: 'Raise limit' }).click();
    await expect.poll(async () => (await served.get(`/v1/runs/${run.id}`)).limits.maxSteps).toBe(5000);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Pause' }).isEnabled()).toBe(false);
  });
});
