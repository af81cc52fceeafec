import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { KubernetesProviderMetrics, type PodSnapshot } from './metrics.js';
import { SliTracker } from './slo.js';
import { isFailedApiRequest } from '../../providers/kubernetes/vocabulary.js';

const line = (text: string, series: string): number | undefined => {
  const m = text.split('\n').find((l) => l.startsWith(series + ' '));
  return m === undefined ? undefined : Number(m.slice(series.length + 1));
};

// The guide's own example runs from the packed package: test/e2e/package.test.ts (guide-examples/metrics.mts).
describe('KubernetesProviderMetrics exposition', () => {
  it('exports the spec names with provider labels, _total counters and seconds', async () => {
    const registry = new Registry();
    const m = new KubernetesProviderMetrics({ registry, provider: 'k8s-a' });
    m.incrementWorkersCreated();
    m.incrementWorkersCreated();
    m.incrementWorkersDeleted();
    m.incrementWorkersFailed('ImagePullBackOff');
    m.incrementWorkersFailed('something new and long');
    m.observePodCreation(1500);
    m.observePodDeletion(250);
    m.recordApiRequest(false, { endpoint: 'pods', verb: 'create', code: 201 });
    m.recordApiRequest(true, { endpoint: 'pods', verb: 'create', code: 503 });
    m.recordHpaOperation('scale_up');
    m.recordNamespaceOperation('create');
    m.recordNetworkPolicyViolation('admission');
    m.observeStartupPhase('image_pull', 2000);
    m.observeHpaResponse(12_000);
    const text = await registry.metrics();
    const p = 'provider="k8s-a"';
    expect(line(text, `hodei_kubernetes_workers_created_total{${p}}`)).toBe(2);
    expect(line(text, `hodei_kubernetes_workers_deleted_total{${p}}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_workers_failed_total{${p},reason="ImagePullBackOff"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_workers_failed_total{${p},reason="Unknown"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_pod_creation_duration_seconds_sum{${p}}`)).toBe(1.5);
    expect(line(text, `hodei_kubernetes_pod_creation_duration_seconds_bucket{le="1",${p}}`)).toBe(0);
    expect(line(text, `hodei_kubernetes_pod_creation_duration_seconds_bucket{le="2",${p}}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_pod_creation_duration_seconds_bucket{le="300",${p}}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_pod_deletion_duration_seconds_sum{${p}}`)).toBe(0.25);
    expect(line(text, `hodei_kubernetes_api_requests_total{${p},endpoint="pods",verb="create",code="201"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_api_requests_total{${p},endpoint="pods",verb="create",code="503"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_api_request_errors_total{${p},endpoint="pods",verb="create",code="503"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_hpa_operations_total{${p},operation="scale_up"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_namespace_operations_total{${p},operation="create"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_network_policy_violations_total{${p},source="admission"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_pod_startup_phase_seconds_sum{${p},phase="image_pull"}`)).toBe(2);
    expect(line(text, `hodei_kubernetes_hpa_response_duration_seconds_sum{${p}}`)).toBe(12);
    for (const name of ['cpu_request_total', 'memory_request_total', 'gpu_count_total', 'workers_active']) {
      expect(line(text, `hodei_kubernetes_${name}{${p}}`)).toBe(0);
    }
    expect(line(text, `hodei_kubernetes_pods_by_state{${p},state="Running"}`)).toBe(0);
  });

  it('derives pod gauges from the bound view at scrape time, and they go down when pods go', async () => {
    const registry = new Registry();
    const m = new KubernetesProviderMetrics({ registry });
    let pods: PodSnapshot[] = [
      { phase: 'Running', cpuMillicores: 250, memoryBytes: 128 * 2 ** 20, gpus: 1 },
      { phase: 'Pending', pendingReason: 'ImagePullBackOff', cpuMillicores: 100, memoryBytes: 2 ** 20 },
      { phase: 'Pending', pendingReason: 'Unschedulable', cpuMillicores: 100 },
      { phase: 'Failed', cpuMillicores: 4000 },
    ];
    m.bindPodView(() => pods);
    const p = 'provider="kubernetes"';
    let text = await registry.metrics();
    expect(line(text, `hodei_kubernetes_pods_by_state{${p},state="Running"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_pods_by_state{${p},state="Pending"}`)).toBe(2);
    expect(line(text, `hodei_kubernetes_pods_by_state{${p},state="Failed"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_pods_pending{${p},reason="ImagePullBackOff"}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_cpu_request_total{${p}}`)).toBe(450);
    expect(line(text, `hodei_kubernetes_memory_request_total{${p}}`)).toBe(129 * 2 ** 20);
    expect(line(text, `hodei_kubernetes_gpu_count_total{${p}}`)).toBe(1);
    expect(line(text, `hodei_kubernetes_workers_active{${p}}`)).toBe(3);
    pods = [];
    text = await registry.metrics();
    expect(line(text, `hodei_kubernetes_pods_by_state{${p},state="Running"}`)).toBe(0);
    expect(line(text, `hodei_kubernetes_pods_pending{${p},reason="ImagePullBackOff"}`)).toBe(0);
    expect(line(text, `hodei_kubernetes_cpu_request_total{${p}}`)).toBe(0);
    expect(line(text, `hodei_kubernetes_workers_active{${p}}`)).toBe(0);
  });

  it('caps free-form label values and counts what the client judged failed (5xx, 429 and no response), timing each', async () => {
    const registry = new Registry();
    const m = new KubernetesProviderMetrics({ registry });
    // As the client emits them: `error` set by isFailedApiRequest(code).
    const ev = (verb: string, resource: string, code: number, durationMs = 3) =>
      ({ verb, resource, endpoint: resource, code, durationMs, retry: 0, ...(isFailedApiRequest(code) ? { error: true } : {}) });
    m.observeApiRequest(ev('get', 'namespaces', 404));
    m.observeApiRequest(ev('create', 'pods', 429));
    m.observeApiRequest(ev('create', 'pods', 0, 2500));
    for (let i = 0; i < 100; i++) m.recordApiRequest(false, { endpoint: `/pods/pod-${i}`, verb: 'get', code: 200 });
    const text = await registry.metrics();
    expect(text).toContain('endpoint="other"');
    const endpoints = new Set([...text.matchAll(/api_requests_total\{[^}]*endpoint="([^"]+)"/g)].map((x) => x[1]));
    expect(endpoints.size).toBeLessThanOrEqual(65);
    expect(line(text, 'hodei_kubernetes_api_request_errors_total{provider="kubernetes",endpoint="pods",verb="create",code="429"}')).toBe(1);
    expect(line(text, 'hodei_kubernetes_api_request_errors_total{provider="kubernetes",endpoint="pods",verb="create",code="<error>"}')).toBe(1);
    expect(text).not.toMatch(/api_request_errors_total\{[^}]*code="404"/);
    expect(m.snapshot().apiErrors).toBe(2);
    expect(line(text, 'hodei_kubernetes_api_request_duration_seconds_count{provider="kubernetes",endpoint="pods",verb="create"}')).toBe(2);
    expect(line(text, 'hodei_kubernetes_api_request_duration_seconds_bucket{le="1",provider="kubernetes",endpoint="pods",verb="create"}')).toBe(1);
  });

  it('feeds the SLI window at the same calls', () => {
    const sli = new SliTracker();
    const m = new KubernetesProviderMetrics({ sli });
    m.incrementWorkersCreated();
    m.observePodCreation(40_000);
    m.incrementWorkersFailed('ErrImagePull');
    m.recordApiRequest(true);
    m.observeHpaResponse(5000);
    const s = sli.slis();
    expect(s.workersCreatedLastHour).toBe(1);
    expect(s.workersFailedLastHour).toBe(1);
    expect(s.currentApiErrorRate).toBe(1);
    expect(s.currentPodCreationTime).toBeGreaterThan(30);
    expect(s.currentHpaResponseTime).toBeGreaterThan(2);
  });
});
