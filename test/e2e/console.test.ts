// The web console in a real browser (Debian Chromium + playwright-core) against a real control plane
// on the Kubernetes simulator: sign in, submit from the form and watch the job succeed with its log,
// a bad field named by the API, cancel a long job, an image-pull failure in Workers and Events,
// readiness Degraded when the quota fills. Every page: a screenshot in test-output/console/ and
// axe-core with no serious or critical violation. No request leaves 127.0.0.1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { consoleDir } from '../../src/api/routes/console.js';
import { poll, simSettings, startTestSim } from '../../src/providers/kubernetes/testing/sim.js';
import { packageRoot } from '../../src/util/paths.js';
import { launchBrowser, seriousA11yViolations, type TestBrowser } from '../support/browser.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

const NS = 'hodei-console';
const OUT = join(packageRoot(), 'test-output', 'console');
let sim: KubeSim;
let s: TestServer;
let b: TestBrowser;
let page: Page;
let imagePullJob: string;

/** Screenshot and accessibility check of the page as it is now. */
async function checkPage(name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  expect(await seriousA11yViolations(page), `axe on ${name}`).toEqual([]);
}

/** A fresh load of the page (a reload when only the hash would not change: forms start empty). */
const go = async (hash: string, heading: string | RegExp): Promise<void> => {
  const url = `${s.url}/#${hash}`;
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
};

/** Fills the Submit form's fields by label (a fresh form); `submit` presses Submit job. */
async function fillSubmitForm(fields: Record<string, string>, submit = true): Promise<void> {
  await go('/submit', 'Submit a job');
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value);
  if (submit) await page.getByRole('button', { name: 'Submit job' }).click();
}

const filler = (name: string) => ({
  metadata: { name, namespace: NS },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  sim = await startTestSim();
  // 10 s before a pending pod fails: on a busy machine a healthy pod can take longer than the usual 4 s.
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, pendingTimeoutMs: 10_000 }) } });
  // Demo data: a few jobs that succeeded, one that failed.
  const demo = await Promise.all([
    ...['alpha', 'beta', 'gamma'].map((n) => s.client.submit({ command: 'sh', args: ['-c', `echo demo ${n}`], labels: { demo: n } })),
    s.client.submit({ command: 'sh', args: ['-c', 'echo about to fail >&2; exit 3'], labels: { demo: 'fails' } }),
  ]);
  await Promise.all(demo.map((j) => waitForJob(s.client, j.id, 30_000)));
  // Its pod waits out the pending timeout while the other tests run.
  imagePullJob = (await s.client.submit({ command: 'true', image: 'registry.invalid/no-such-image:1', retries: 0 })).id;
  b = await launchBrowser();
  page = await b.context.newPage();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await s?.stop();
  await sim?.stop();
});

describe('web console', () => {
  it('serves the page without a token, and keeps the API behind it', async () => {
    const root = await fetch(`${s.url}/`);
    expect(root.status, `is the console built in ${consoleDir()}? (npm run build)`).toBe(200);
    expect(root.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${s.url}/v1/stats`)).status).toBe(401);
    const stats = await s.client.raw('/v1/stats');
    expect(JSON.parse(stats.text)).toMatchObject({ intervalSeconds: 5, windowSeconds: 900 });
    const openapi = JSON.parse((await s.client.raw('/openapi.json')).text) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/v1/stats');
  });

  it('signs in with the API token and shows the overview (load time reported)', async () => {
    const started = Date.now();
    await page.goto(`${s.url}/`);
    await page.getByLabel('API token').waitFor();
    await checkPage('sign-in');
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The server refused this token.').waitFor();
    await page.getByLabel('API token').fill(s.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // The token is in session storage only, never in the URL.
    expect(page.url()).not.toContain(s.token);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('hodei.token')")).toBe(s.token);

    // Load time on the demo data: a fresh navigation until every overview panel shows data.
    const t0 = Date.now();
    await page.reload();
    await page.locator('.metric .big').first().waitFor();
    await page.locator('[data-probe="readiness"]').waitFor();
    await page.locator('table.slo tbody tr').first().waitFor();
    const loaded = Date.now() - t0;
    const nav = await page.evaluate<number>("performance.getEntriesByType('navigation')[0].loadEventEnd");
    console.log(`console load on the demo data: overview with data in ${loaded} ms (load event at ${Math.round(nav)} ms; sign-in flow ${Date.now() - started} ms)`);

    await page.locator('.chart canvas').first().waitFor();
    expect(await page.locator('.metric').count()).toBe(6);
    for (const probe of ['liveness', 'readiness', 'startup']) await page.locator(`[data-probe="${probe}"][data-status="Healthy"]`).waitFor();
    await expect.poll(() => page.locator('table.slo tbody tr').count()).toBe(6);
    // P95 SLOs show seconds, ratio SLOs percent (the engine's `unit`).
    expect(await page.locator('[data-slo="schedule_punctuality"] td').first().textContent()).toBe('60.00 s');
    expect(await page.locator('[data-slo="api_error_rate"] td').first().textContent()).toMatch(/%$/);
    await checkPage('overview');
  });

  it('submits a job from the form and watches it succeed with its log lines', async () => {
    await fillSubmitForm({
      'Command (required)': 'sh', Arguments: '-c\necho console-line-one; echo console-line-two >&2; echo console-line-three',
      Labels: 'origin=console', Environment: 'GREETING=hello',
    }, false);
    await checkPage('submit');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.getByRole('heading', { level: 1, name: /^Job / }).waitFor();
    await page.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    const log = page.getByLabel('Job log');
    for (const line of ['console-line-one', 'console-line-two', 'console-line-three']) await log.getByText(line).waitFor();
    await page.locator('[data-log-status="ended"]').waitFor();
    expect(await page.locator('[data-field="exitCode"]').textContent()).toBe('0');
    for (const state of ['queued', 'running', 'succeeded']) await page.locator(`.timeline [data-state="${state}"]`).first().waitFor();
    await page.locator('[data-worker]').first().waitFor();
    await page.getByText('worker.created').first().waitFor();
    const startup = page.getByLabel('Startup breakdown');
    for (const phase of ['scheduling', 'image pull', 'container start', 'agent registration']) await startup.getByText(phase).waitFor();
    await checkPage('job-succeeded');
  });

  it('shows the API rejecting a bad field next to that field', async () => {
    await fillSubmitForm({ 'Command (required)': 'true', CPU: 'lots' });
    const err = page.locator('[data-field="cpu"] .field-error');
    await err.waitFor();
    expect(await err.textContent()).toContain('resources.cpu: must be a CPU quantity');
    expect(await page.getByLabel('CPU').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('name')")).toBe('cpu');
    await checkPage('submit-bad-field');
  });

  it('cancels a long job, and retries it as a copy', async () => {
    await fillSubmitForm({ 'Command (required)': 'sleep', Arguments: '120' });
    await page.locator('h1 .badge', { hasText: 'running' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('h1 .badge', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-field="reason"]', { hasText: 'Cancelled' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel job' }).isDisabled()).toBe(true);
    await checkPage('job-cancelled');

    // Retry queues a copy of the spec, labelled with the job it copies; that one is cancelled too.
    const first = page.url().split('/jobs/')[1] ?? '';
    await page.getByRole('button', { name: 'Retry (queue a copy)' }).click();
    await page.waitForURL((u) => u.hash.startsWith('#/jobs/') && !u.hash.endsWith(first));
    await page.locator('.tag', { hasText: `hodei.io/retry-of=${first}` }).waitFor();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('h1 .badge', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
  });

  it('lists jobs filtered by state, label and text', async () => {
    await go('/jobs', 'Jobs');
    await page.getByLabel('State').selectOption('failed');
    await page.locator('table.jobs tbody tr').first().waitFor();
    await expect.poll(async () => [...new Set(await page.locator('table.jobs tbody .badge').allTextContents())]).toEqual(['failed']);
    await page.getByLabel('State').selectOption('');
    await page.getByLabel(/^Labels/).fill('demo=beta');
    await page.getByLabel(/^Labels/).press('Enter');
    await expect.poll(() => page.locator('table.jobs tbody tr').count()).toBe(1);
    await page.getByLabel(/^Labels/).fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByLabel('Text').fill('console-line');
    await expect.poll(() => page.locator('table.jobs tbody tr').count()).toBe(1);
    await page.getByLabel('Text').fill('');
    await checkPage('jobs');
  });

  it('shows an image-pull failure in Workers and in Events with its reason', async () => {
    const job = await waitForJob(s.client, imagePullJob, 30_000);
    expect(job.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    await go('/workers', 'Workers');
    const failed = page.getByRole('region', { name: 'Failed workers' });
    await failed.locator('td.reason', { hasText: /ErrImagePull|ImagePullBackOff/ }).first().waitFor();
    await checkPage('workers');

    await go('/events', 'Events');
    await page.getByLabel('Type').selectOption('worker.failed');
    const row = page.locator('.events li[data-type="worker.failed"]').filter({ hasText: /reason (ErrImagePull|ImagePullBackOff)/ }).first();
    await row.waitFor();
    await row.locator('summary').click();
    const json = JSON.parse(await row.locator('pre.json').textContent() ?? '{}') as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['timestamp', 'event_type', 'provider', 'worker_id', 'namespace', 'duration_ms', 'success', 'details']);
    expect(json).toMatchObject({ event_type: 'worker.failed', success: false, details: { job_id: job.id } });
    await checkPage('events');
  });

  it('shows readiness Degraded, naming the quota, when the quota fills', async () => {
    await poll('no worker pods left', () => sim.store.list('pods', NS).items.length === 0);
    sim.admin.apply('resourcequotas', { metadata: { name: 'compute', namespace: NS }, spec: { hard: { pods: '10' } } });
    for (let i = 0; i < 9; i++) sim.admin.apply('pods', filler(`filler-${i}`));
    try {
      await go('/', 'Overview');
      const readiness = page.locator('[data-probe="readiness"][data-status="Degraded"]');
      await readiness.waitFor({ timeout: 30_000 });
      await readiness.locator('[data-check="kubernetes-quota"]', { hasText: "quota 'compute' pods 9/10 used" }).waitFor();
      await checkPage('overview-degraded');
    } finally {
      for (let i = 0; i < 9; i++) await sim.store.delete('pods', NS, `filler-${i}`, { gracePeriodSeconds: 0 });
      sim.store.delete('resourcequotas', NS, 'compute');
    }
  });

  it('shows queues and schedules only when the server has them', async () => {
    await go('/queues', 'Queues and schedules');
    await page.locator('[data-unavailable="queues"], table').first().waitFor();
    await checkPage('queues');
  });

  it('works in the dark theme and on a narrow screen', async () => {
    await go('/', 'Overview');
    await page.getByLabel('Theme').selectOption('dark');
    await page.locator('.metric .big').first().waitFor();
    await checkPage('overview-dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await go('/jobs', 'Jobs');
    await page.locator('table.jobs tbody tr').first().waitFor();
    await checkPage('jobs-narrow-dark');
    await page.getByLabel('Theme').selectOption('light');
    await go('/', 'Overview');
    await page.locator('[data-probe="readiness"]').waitFor();
    await page.screenshot({ path: join(OUT, 'overview-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('made no request that leaves 127.0.0.1', () => {
    expect(b.requests.length).toBeGreaterThan(10);
    const outside = b.requests.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');
    expect(outside).toEqual([]);
  });
});
