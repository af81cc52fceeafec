// The observability runtime against the live Kubernetes provider (kube-sim): metrics counted at the
// true moments and equal to what the sim saw, events of every worker outcome in the spec's shape,
// and the SLO engine computing violations from what really happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import type { HodeiEvent } from '../../src/observability/events/types.js';
import type { SloReport } from '../../src/observability/slo-engine.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

const NS = 'hodei-obs';
let sim: KubeSim;
let s: TestServer;

beforeAll(async () => {
  // Every 4th pod create answers 503 (before the server acted): the client retries it.
  sim = await startTestSim({ faults: [{ id: 'e503', verbs: ['create'], resources: ['pods'], error: { code: 503 }, everyNth: 4 }] });
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, pendingTimeoutMs: 5000 }) } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

/** Sum of a metric's samples whose label set contains every given `k="v"`. */
function sum(text: string, name: string, ...labels: string[]): number {
  return text.split('\n').filter((l) => l.startsWith(name + '{') && labels.every((x) => l.includes(x)))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('observability of the kubernetes provider', () => {
  it('counts workers, failures, API requests and errors exactly; records events; SLOs see it', async () => {
    // The scenario: 20 successful jobs (short ones: the provider is told when an agent
    // registers, so no worker is missed) and 3 that cannot pull their image.
    const good = await Promise.all(Array.from({ length: 20 }, () => s.client.submit({ command: 'true', resources: { cpu: '100m', memory: '512Mi' } })));
    const bad = await Promise.all(Array.from({ length: 3 }, () => s.client.submit({ command: 'true', image: 'registry.invalid/nope:1', retries: 0 })));
    for (const j of good) {
      const done = await waitForJob(s.client, j.id, 60_000);
      expect(`${done.state} ${done.reason ?? ''} ${done.message ?? ''}`).toBe('succeeded Completed ');
    }
    for (const j of bad) expect((await waitForJob(s.client, j.id, 60_000)).state).toBe('failed');
    await poll('all pods gone', () => sim.store.list('pods', NS).items.length === 0, 30_000);

    const text = await poll('deletions counted', async () => {
      const t = (await s.client.raw('/metrics')).text;
      return sum(t, 'hodei_kubernetes_workers_deleted_total') === 23 ? t : null;
    });
    expect(sum(text, 'hodei_kubernetes_workers_created_total')).toBe(20);
    expect(sum(text, 'hodei_kubernetes_workers_failed_total', 'reason="ImagePullBackOff"') + sum(text, 'hodei_kubernetes_workers_failed_total', 'reason="ErrImagePull"')).toBe(3);
    expect(sum(text, 'hodei_kubernetes_pod_creation_duration_seconds_count')).toBe(20);
    expect(sum(text, 'hodei_kubernetes_pods_by_state', 'state="Running"')).toBe(0);
    expect(sum(text, 'hodei_kubernetes_cpu_request_total')).toBe(0);

    // Pod creates: what the metrics counted is what the sim received, code by code.
    const received = sim.admin.stats().requests.byKey;
    const injected = sim.admin.stats().faults.byKey['503 create pods'] ?? 0;
    expect(injected).toBeGreaterThan(0);
    expect(sum(text, 'hodei_kubernetes_api_requests_total', 'verb="create"', 'code="201"', 'pods"')).toBe(received['create pods 201']);
    expect(sum(text, 'hodei_kubernetes_api_request_errors_total', 'verb="create"', 'code="503"')).toBe(injected);
    expect(sum(text, 'hodei_kubernetes_api_requests_total', 'verb="create"', 'code="503"')).toBe(received['create pods 503']);
    // And every request: the metric's total equals what the sim received. A watch is counted by us
    // when it opens and by the sim when it closes, so the watches still open are added.
    const total = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
    const sides = async (): Promise<[number, number]> => {
      const stats = sim.admin.stats();
      return [sum((await s.client.raw('/metrics')).text, 'hodei_kubernetes_api_requests_total'), total(stats.requests.byKey) + stats.watches.open];
    };
    await poll('every request counted on both sides', async () => { const [a, b] = await sides(); return a === b; }, 10_000)
      .catch(async (e: Error) => { throw new Error(`${e.message}: [metric, sim] ${JSON.stringify(await sides())}`); });

    const events = JSON.parse((await s.client.raw('/v1/events?limit=1000')).text) as { events: HodeiEvent[] };
    const of = (t: string): HodeiEvent[] => events.events.filter((e) => e.event_type === t);
    expect(of('worker.created')).toHaveLength(20);
    expect(of('worker.created')[0]).toMatchObject({ provider: 'kubernetes', namespace: NS, success: true, details: { cpu_request: '100m', memory_request: '512Mi' } });
    expect(of('worker.failed').map((e) => e.details.reason).every((r) => r === 'ImagePullBackOff' || r === 'ErrImagePull')).toBe(true);
    expect(of('worker.failed')).toHaveLength(3);
    expect(of('worker.deleted')).toHaveLength(23);
    expect(of('api.request.failed').filter((e) => e.details.code === 503)).toHaveLength(injected);
    expect(of('namespace.created').map((e) => e.namespace)).toEqual([NS]);

    const slo = JSON.parse((await s.client.raw('/v1/slo')).text) as SloReport;
    expect(slo.slis.workersCreatedLastHour).toBe(20);
    expect(slo.slis.workersFailedLastHour).toBe(3);
    expect(slo.violations.map((v) => v.message)).toContain('worker_creation_success_rate: 86.96% < target 99.00%');
    expect(slo.slis.currentApiErrorRate).toBeGreaterThan(0);
    const violated = JSON.parse((await s.client.raw('/v1/events?type=slo.violated')).text) as { events: HodeiEvent[] };
    expect(violated.events.map((e) => e.details.slo)).toContain('worker_creation_success_rate');
  });
});

describe('observability of the kubernetes provider under a 5% error rate', () => {
  let sim5: KubeSim;
  let s5: TestServer;
  beforeAll(async () => {
    // Every 20th request on pods answers 503: 5% of them, counted exactly by the sim.
    sim5 = await startTestSim({ faults: [{ id: 'e5', resources: ['pods'], error: { code: 503 }, everyNth: 20 }] });
    s5 = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim5, { namespace: 'hodei-obs5' }) } });
  });
  afterAll(async () => {
    await s5?.stop();
    await sim5?.stop();
  });

  it('api_request_errors_total / api_requests_total equals the injected ratio, and the SLO check says so', async () => {
    const jobs = await Promise.all(Array.from({ length: 10 }, () => s5.client.submit({ command: 'true' })));
    for (const j of jobs) expect((await waitForJob(s5.client, j.id, 60_000)).state).toBe('succeeded');
    const read = async () => {
      const stats = sim5.admin.stats();
      const text = (await s5.client.raw('/metrics')).text;
      const received = Object.values(stats.requests.byKey).reduce((a, b) => a + b, 0) + stats.watches.open;
      const injected = Object.entries(stats.faults.byKey).filter(([k]) => k.startsWith('503 ')).reduce((a, [, n]) => a + n, 0);
      return { requests: sum(text, 'hodei_kubernetes_api_requests_total'), errors: sum(text, 'hodei_kubernetes_api_request_errors_total'), received, injected };
    };
    const r = await poll('both sides settled', async () => { const v = await read(); return v.requests === v.received && v.errors === v.injected ? v : null; }, 10_000)
      .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await read())}`); });
    expect(r.injected).toBeGreaterThan(0);
    expect(r.errors / r.requests).toBe(r.injected / r.received);
    const slo = JSON.parse((await s5.client.raw('/v1/slo')).text) as SloReport;
    // Read a moment later (the informer and reconciler keep talking): the same ratio, a few requests on.
    expect(slo.slis.currentApiErrorRate).toBeCloseTo(r.errors / r.requests, 2);
    // The SLO check agrees with the measured rate (background health checks add successful requests,
    // so the 5% injected on pod creation can land either side of the 1% target on the whole client).
    const apiViolations = slo.violations.map((v) => v.message).filter((m) => m.startsWith('api_error_rate'));
    if (slo.slis.currentApiErrorRate > 0.01) expect(apiViolations).toEqual([`api_error_rate: ${(slo.slis.currentApiErrorRate * 100).toFixed(2)}% > target 1.00%`]);
    else expect(apiViolations).toEqual([]);
  });
});
