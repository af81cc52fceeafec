// Failures named fast: an image that cannot be pulled fails its worker with the pull's own reason
// after the short start-failure grace (default 10 s) — with the production pending timeout (300 s)
// and a registration timeout (20 s here) that used to win and call it AgentNeverRegistered. The
// reason is the job's, the metric label's, the worker.failed event's and `hodei diagnose`'s.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { runCli, startTestServer, waitForJob, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;
const PULLS = ['ErrImagePull', 'ImagePullBackOff'];

beforeAll(async () => {
  sim = await startTestSim();
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: 'hodei-failfast', pendingTimeoutMs: 300_000 }) } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

it('an image pull failure is named by the job, the metric, the worker.failed event and hodei diagnose', async () => {
  const submitted = await s.client.submit({ command: 'true', image: 'registry.invalid/no-such-image:1', retries: 0 });
  const job = await waitForJob(s.client, submitted.id, 40_000);
  expect(job.state).toBe('failed');
  expect(PULLS).toContain(job.reason);
  const reason = job.reason ?? '';
  const metrics = (await s.client.raw('/metrics')).text;
  expect(metrics).toMatch(new RegExp(`hodei_kubernetes_workers_failed_total\\{[^}]*reason="${reason}"[^}]*\\} 1`));
  expect(metrics).toMatch(/hodei_kubernetes_workers_failed_total\{[^}]*reason="AgentNeverRegistered"[^}]*\} 0/);
  const events = JSON.parse((await s.client.raw('/v1/events?type=worker.failed')).text) as { events: { details: Record<string, unknown> }[] };
  const ev = events.events.find((e) => e.details.job_id === job.id);
  expect(ev?.details.reason).toBe(reason);
  expect(ev?.details.message).toContain('registry.invalid/no-such-image:1');
  const diag = await runCli(['diagnose'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
  expect(diag.stdout).toContain(`Failures by reason: ${reason} 1`);
  expect(diag.stdout).toContain('- Image pull failures (1)');
});
