// The observability runtime against the live Kubernetes provider (kube-sim): metrics counted at the
// true moments and equal to what the sim saw, events of every worker outcome in the spec's shape,
// and the SLO engine computing violations from what really happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import type { HodeiEvent } from '../../src/observability/events/types.js';
import type { SloReport } from '../../src/observability/slo-engine.js';
import { poll, simSettings, startTestSim } from '../../src/providers/kubernetes/testing/sim.js';
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
  // Jobs run 1 s: the provider learns of agent registration on its reconcile tick (500 ms here) and
  // reports a worker created (pod.ready) only then. Known gap in the provider: a pod that finishes
  // before that tick is never reported created, so workers_created_total misses very short jobs.
  it('counts workers, failures, API requests and errors exactly; records events; SLOs see it', async () => {
    const good = await Promise.all(Array.from({ length: 5 }, () => s.client.submit({ command: 'sleep', args: ['1'], resources: { cpu: '100m', memory: '512Mi' } })));
    const bad = await Promise.all(Array.from({ length: 2 }, () => s.client.submit({ command: 'true', image: 'registry.invalid/nope:1', retries: 0 })));
    for (const j of good) {
      const done = await waitForJob(s.client, j.id, 60_000);
      expect(`${done.state} ${done.reason ?? ''} ${done.message ?? ''}`).toBe('succeeded Completed ');
    }
    for (const j of bad) expect((await waitForJob(s.client, j.id, 60_000)).state).toBe('failed');
    await poll('all pods gone', () => sim.store.list('pods', NS).items.length === 0, 30_000);

    const text = await poll('deletions counted', async () => {
      const t = (await s.client.raw('/metrics')).text;
      return sum(t, 'hodei_kubernetes_workers_deleted_total') === 7 ? t : null;
    });
    expect(sum(text, 'hodei_kubernetes_workers_created_total')).toBe(5);
    expect(sum(text, 'hodei_kubernetes_workers_failed_total', 'reason="ImagePullBackOff"') + sum(text, 'hodei_kubernetes_workers_failed_total', 'reason="ErrImagePull"')).toBe(2);
    expect(sum(text, 'hodei_kubernetes_pod_creation_duration_seconds_count')).toBe(5);
    expect(sum(text, 'hodei_kubernetes_pods_by_state', 'state="Running"')).toBe(0);
    expect(sum(text, 'hodei_kubernetes_cpu_request_total')).toBe(0);

    // Pod creates: what the metrics counted is what the sim received, code by code.
    const received = sim.admin.stats().requests.byKey;
    const injected = sim.admin.stats().faults.byKey['503 create pods'] ?? 0;
    expect(injected).toBeGreaterThan(0);
    expect(sum(text, 'hodei_kubernetes_api_requests_total', 'verb="create"', 'code="201"', 'pods"')).toBe(received['create pods 201']);
    expect(sum(text, 'hodei_kubernetes_api_request_errors_total', 'verb="create"', 'code="503"')).toBe(injected);
    expect(sum(text, 'hodei_kubernetes_api_requests_total', 'verb="create"', 'code="503"')).toBe(received['create pods 503']);

    const events = JSON.parse((await s.client.raw('/v1/events?limit=1000')).text) as { events: HodeiEvent[] };
    const of = (t: string): HodeiEvent[] => events.events.filter((e) => e.event_type === t);
    expect(of('worker.created')).toHaveLength(5);
    expect(of('worker.created')[0]).toMatchObject({ provider: 'kubernetes', namespace: NS, success: true, details: { cpu_request: '100m', memory_request: '512Mi' } });
    expect(of('worker.failed').map((e) => e.details.reason).every((r) => r === 'ImagePullBackOff' || r === 'ErrImagePull')).toBe(true);
    expect(of('worker.failed')).toHaveLength(2);
    expect(of('worker.deleted')).toHaveLength(7);
    expect(of('api.request.failed').filter((e) => e.details.code === 503)).toHaveLength(injected);
    expect(of('namespace.created').map((e) => e.namespace)).toEqual([NS]);

    const slo = JSON.parse((await s.client.raw('/v1/slo')).text) as SloReport;
    expect(slo.slis.workersCreatedLastHour).toBe(5);
    expect(slo.slis.workersFailedLastHour).toBe(2);
    expect(slo.violations.map((v) => v.message)).toContain('worker_creation_success_rate: 71.43% < target 99.00%');
    expect(slo.slis.currentApiErrorRate).toBeGreaterThan(0);
    const violated = JSON.parse((await s.client.raw('/v1/events?type=slo.violated')).text) as { events: HodeiEvent[] };
    expect(violated.events.map((e) => e.details.slo)).toContain('worker_creation_success_rate');
  });
});
