// A hung API server (accepts, never answers) is an outage the SLI sees: every non-watch request
// times out client-side and counts as an API error with code="timeout" and an api.request.failed
// event; readiness names the outage and comes back by itself once the server answers again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;

beforeAll(async () => {
  sim = await startTestSim();
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: 'hodei-hang', requestTimeoutMs: 1000, maxAttempts: 2 }) } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

/** Sum of hodei_kubernetes_api_request_errors_total, of one code label or all. */
const errors = (metrics: string, code?: string): number => metrics.split('\n')
  .filter((l) => l.startsWith('hodei_kubernetes_api_request_errors_total{') && (code === undefined || l.includes(`code="${code}"}`)))
  .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

it('counts each timed-out request as an API error with code="timeout" and an api.request.failed event; readiness returns', async () => {
  sim.admin.setOutage({ mode: 'hang', durationMs: 4000 });
  const job = await s.client.submit({ command: 'true', retries: 3 });
  await poll('a timeout to be counted', async () => errors((await s.client.raw('/metrics')).text, 'timeout') > 0, 20_000);
  const events = JSON.parse((await s.client.raw('/v1/events?type=api.request.failed')).text) as { events: { details: Record<string, unknown> }[] };
  expect(events.events.some((e) => e.details.code === 'timeout')).toBe(true);
  expect((await waitForJob(s.client, job.id, 60_000)).state).toBe('succeeded');
  await poll('readiness back', async () => (await s.client.raw('/readyz')).status === 200, 20_000);
  // Every request the sim left hanging is an error on our side (timed out, or cut when the hang
  // ended). A request can time out in flight without the sim having parsed it: at least, not equal.
  expect(errors((await s.client.raw('/metrics')).text)).toBeGreaterThanOrEqual(sim.admin.stats().faults.total);
});
