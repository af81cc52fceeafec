// The nodes' metrics APIs as the aggregator and the HPA read them: discovery, PodMetrics of running
// pods by label selector (usage from SimMetrics: admin value, annotation, else half the request),
// NodeMetrics summed per node, External metric values, and Status errors.
import { describe, expect, it } from 'vitest';
import { SimMetrics } from '../controllers/metrics.js';
import { ObjectStore, R, systemClock } from '../store/index.js';
import { MetricsApi } from './metrics-api.js';

function setup() {
  const store = new ObjectStore({ clock: systemClock });
  store.create(R.namespaces, { metadata: { name: 'ns' } });
  const pod = (name: string, labels: Record<string, string>, phase: string, node = 'n1') => {
    store.create(R.pods, {
      metadata: { name, namespace: 'ns', labels },
      spec: { nodeName: node, containers: [{ name: 'main', image: 'x', resources: { requests: { cpu: '200m', memory: '128Mi' } } }, { name: 'side', image: 'x' }] },
    });
    store.mutate(R.pods, 'ns', name, (p) => { p.status = { phase }; }, { subresource: 'status' });
  };
  pod('a', { app: 'pool' }, 'Running');
  pod('b', { app: 'pool' }, 'Running', 'n2');
  pod('c', { app: 'other' }, 'Running');
  pod('d', { app: 'pool' }, 'Pending');
  const metrics = new SimMetrics();
  return { api: new MetricsApi(store, metrics), metrics, store };
}
const get = (api: MetricsApi, path: string) => api.handle('GET', new URL(path, 'https://node'));

describe('metrics.k8s.io and external.metrics.k8s.io of the simulated nodes', () => {
  it('serves discovery for both groups and ignores other paths', () => {
    const { api } = setup();
    expect(get(api, '/apis/metrics.k8s.io/v1beta1')?.body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'metrics.k8s.io/v1beta1', resources: [{ name: 'pods', kind: 'PodMetrics' }, { name: 'nodes', kind: 'NodeMetrics' }] });
    expect(get(api, '/apis/external.metrics.k8s.io/v1beta1')?.code).toBe(200);
    expect(get(api, '/apis/metrics.k8s.io')?.body).toMatchObject({ kind: 'APIGroup', preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1' } });
    expect(get(api, '/containerLogs/ns/a/main')).toBeUndefined();
    expect(get(api, '/apis/metrics.k8s.io/v1')?.code).toBe(404);
    expect(api.handle('POST', new URL('https://node/apis/metrics.k8s.io/v1beta1/pods'))?.code).toBe(405);
  });

  it('lists running pods by label selector, usage on the first container (default: half the request)', () => {
    const { api, metrics } = setup();
    metrics.setPodUsage('ns', 'b', { cpu: '150m' });
    const list = get(api, '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods?labelSelector=app%3Dpool')?.body as { kind: string; items: { metadata: { name: string }; window: string; timestamp: string; containers: { name: string; usage: { cpu: string; memory: string } }[] }[] };
    expect(list.kind).toBe('PodMetricsList');
    expect(list.items.map((i) => i.metadata.name)).toEqual(['a', 'b']);
    expect(list.items[0]?.containers).toEqual([{ name: 'main', usage: { cpu: '100m', memory: '64Mi' } }, { name: 'side', usage: { cpu: '0', memory: '0' } }]);
    expect(list.items[1]?.containers[0]?.usage.cpu).toBe('150m');
    expect(list.items[0]?.window).toBe('1s');
    expect(Date.parse(list.items[0]?.timestamp ?? '')).not.toBeNaN();
    expect(get(api, '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/c')?.body).toMatchObject({ kind: 'PodMetrics', metadata: { name: 'c' } });
    expect(get(api, '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/d')?.code).toBe(404); // Pending: no samples yet
    expect(get(api, '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%20in%20(')?.code).toBe(400);
  });

  it('sums usage per node and serves External metric values', () => {
    const { api, metrics } = setup();
    const nodes = get(api, '/apis/metrics.k8s.io/v1beta1/nodes')?.body as { items: { metadata: { name: string }; usage: { cpu: string } }[] };
    expect(nodes.items.map((n) => [n.metadata.name, n.usage.cpu])).toEqual([['n1', '200m'], ['n2', '100m']]);
    const ext = '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/hodei_jobs_queued?labelSelector=';
    expect(get(api, ext)?.body).toMatchObject({ kind: 'ExternalMetricValueList', items: [] });
    metrics.setExternal('ns', 'hodei_jobs_queued', 20);
    expect((get(api, ext)?.body as { items: unknown[] }).items).toEqual([expect.objectContaining({ metricName: 'hodei_jobs_queued', value: '20' })]);
    metrics.setExternal('ns', 'hodei_jobs_queued', 2.5);
    expect((get(api, ext)?.body as { items: { value: string }[] }).items[0]?.value).toBe('2500m');
  });
});
