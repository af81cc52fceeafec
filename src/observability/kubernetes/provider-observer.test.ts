import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KubernetesProvider } from '../../providers/kubernetes/kubernetes-provider.js';
import { KubernetesProviderMetrics } from './metrics.js';
import { SliTracker } from './slo.js';
import { ApiRequestEvents } from './api-requests.js';
import { EventRecorder } from '../events/recorder.js';
import { MemoryEventStore } from '../events/sinks.js';
import { observeKubernetesProvider, type KubernetesEventSource, type ObservedK8sEvents, type PodLike } from './provider-observer.js';

// Compile-time: the real provider satisfies what the observer consumes.
export const providerFits = (p: KubernetesProvider): KubernetesEventSource => p;

const value = (text: string, s: string): number | undefined => {
  const l = text.split('\n').find((x) => x.startsWith(s + ' '));
  return l === undefined ? undefined : Number(l.slice(s.length + 1));
};

describe('observeKubernetesProvider', () => {
  it('turns the provider events and pod view into metrics, SLIs and events', async () => {
    const k8sEvents = new EventEmitter<ObservedK8sEvents>();
    let pods: PodLike[] = [
      { metadata: {}, spec: { containers: [{ resources: { requests: { cpu: '250m', memory: '128Mi', 'nvidia.com/gpu': '1' } } }] }, status: { phase: 'Running' } },
      { metadata: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } },
      { metadata: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] } },
      { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running' } },
    ];
    const registry = new Registry();
    const sli = new SliTracker();
    const metrics = new KubernetesProviderMetrics({ registry, sli });
    const store = new MemoryEventStore();
    const events = new EventRecorder({ store, provider: 'kubernetes' });
    const api = new ApiRequestEvents(events, { namespace: 'ns' });
    const off = observeKubernetesProvider({ id: 'kubernetes', k8sEvents, pods: () => pods }, { metrics, events, api });

    const ref = { workerId: 'w1', jobId: 'j1', namespace: 'ns', pod: 'hodei-w1' };
    k8sEvents.emit('api.request', { verb: 'create', resource: 'pods', endpoint: '/api/v1/namespaces/{namespace}/pods', code: 201, durationMs: 4, retry: 0 });
    k8sEvents.emit('api.request', { verb: 'create', resource: 'pods', endpoint: '/api/v1/namespaces/{namespace}/pods', code: 503, durationMs: 4, retry: 0, error: true });
    k8sEvents.emit('pod.created', { ...ref, durationMs: 5, image: 'alpine:3', resources: { cpuMillis: 250, memoryBytes: 128 * 2 ** 20, gpus: 0 } });
    k8sEvents.emit('pod.ready', { ...ref, durationMs: 2500, startup: { createdAt: 0, scheduledAt: 100, imagePulledAt: 1100, containerStartedAt: 1500, agentRegisteredAt: 2500 } });
    k8sEvents.emit('pod.failed', { ...ref, workerId: 'w2', pod: 'hodei-w2', reason: 'ImagePullBackOff', message: 'back-off pulling image' });
    k8sEvents.emit('pod.deleted', { ...ref, durationMs: 800, cause: 'finished' });
    k8sEvents.emit('namespace.created', { namespace: 'ns', durationMs: 3 });
    api.flushSummary();

    const text = await registry.metrics();
    const p = 'provider="kubernetes"';
    expect(value(text, `hodei_kubernetes_workers_created_total{${p}}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_workers_failed_total{${p},reason="ImagePullBackOff"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_workers_deleted_total{${p}}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_pod_creation_duration_seconds_sum{${p}}`)).toBe(2.5);
    expect(value(text, `hodei_kubernetes_pod_deletion_duration_seconds_sum{${p}}`)).toBe(0.8);
    expect(value(text, `hodei_kubernetes_pod_startup_phase_seconds_sum{${p},phase="image_pull"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_pod_startup_phase_seconds_sum{${p},phase="agent_registration"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_api_request_errors_total{${p},endpoint="/api/v1/namespaces/{namespace}/pods",verb="create",code="503"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_namespace_operations_total{${p},operation="create"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_pods_by_state{${p},state="Pending"}`)).toBe(2);
    expect(value(text, `hodei_kubernetes_pods_by_state{${p},state="Terminating"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_pods_pending{${p},reason="Unschedulable"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_pods_pending{${p},reason="ImagePullBackOff"}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_cpu_request_total{${p}}`)).toBe(250);
    expect(value(text, `hodei_kubernetes_gpu_count_total{${p}}`)).toBe(1);
    expect(value(text, `hodei_kubernetes_workers_active{${p}}`)).toBe(3);

    const s = sli.slis();
    expect(s.currentApiErrorRate).toBe(0.5);
    expect(s.workerCreationSuccessRate).toBe(0.5);

    const all = (await events.query({ limit: 20 })).reverse();
    expect(all.map((e) => e.event_type)).toEqual([
      'api.request.failed', 'resource.allocated', 'worker.created', 'worker.failed', 'worker.deleted', 'resource.released',
      'namespace.created', 'api.request.summary',
    ]);
    expect(all[2]).toMatchObject({ worker_id: 'w1', namespace: 'ns', duration_ms: 2500, details: {
      job_id: 'j1', image: 'alpine:3', cpu_request: '250m', memory_request: '128Mi',
      startup_ms: { scheduling: 100, image_pull: 1000, container_start: 400, agent_registration: 1000 },
    } });
    expect(all[3]).toMatchObject({ worker_id: 'w2', success: false, details: { reason: 'ImagePullBackOff' } });

    off();
    pods = [];
    k8sEvents.emit('pod.ready', { ...ref, durationMs: 1, startup: { createdAt: 0 } });
    expect(metrics.snapshot().created).toBe(1);
  });
});
