// The resource and external metrics APIs of the simulated nodes, served to a REAL kube-apiserver as
// aggregated APIs (APIService v1beta1.metrics.k8s.io and v1beta1.external.metrics.k8s.io, see
// apiservices.ts) — what metrics-server and a metrics adapter are in a real cluster. The real
// controller-manager's HPA and `kubectl top` read them through the API server. Usage comes from
// kube-sim's SimMetrics (admin-set values, pod annotations, else half the request), exactly what
// kube-sim's own HPA reads, over the pods mirrored onto these nodes.
//   GET /apis/metrics.k8s.io/v1beta1[/namespaces/{ns}]/pods[/{name}]?labelSelector=
//   GET /apis/metrics.k8s.io/v1beta1/nodes[/{name}]
//   GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}
import { formatMilli } from '../quantity.js';
import { R, parseLabelSelector, rfc3339, StatusError, type ObjectStore, type StoredObject } from '../store/index.js';
import type { SimMetrics } from '../controllers/metrics.js';
import type { Pod } from '../controllers/pod-types.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const EXTERNAL_METRICS_GROUP = 'external.metrics.k8s.io';
const VERSION = 'v1beta1';
/**
 * The window a sample covers. The sim's usage is instantaneous; the HPA ignores a CPU sample of a
 * young pod whose window began before the pod became Ready, so a short window lets it count soon.
 */
const WINDOW = '1s';

export interface MetricsAnswer { code: number; body: unknown }

const status = (code: number, reason: string, message: string): MetricsAnswer =>
  ({ code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code } });

function discovery(group: string): MetricsAnswer {
  const resources = group === METRICS_GROUP
    ? [{ name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] }]
    // An adapter serves any metric name; the HPA does not use discovery for external metrics.
    : [{ name: '*', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }];
  return { code: 200, body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${VERSION}`, resources } };
}

export class MetricsApi {
  constructor(private readonly store: ObjectStore, private readonly metrics: SimMetrics) {}

  /** Answer a request under /apis/(external.)metrics.k8s.io; undefined when the path is not ours. */
  handle(method: string, url: URL): MetricsAnswer | undefined {
    const m = /^\/apis\/(metrics\.k8s\.io|external\.metrics\.k8s\.io)(?:\/([^/]+)(\/.*)?)?$/.exec(url.pathname);
    if (!m) return undefined;
    const [, group = '', version, rest = ''] = m;
    if (method !== 'GET') return status(405, 'MethodNotAllowed', `${method} is not supported on ${group}`);
    if (version === undefined) {
      const v = { groupVersion: `${group}/${VERSION}`, version: VERSION };
      return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [v], preferredVersion: v } };
    }
    if (version !== VERSION) return status(404, 'NotFound', `${group}/${version} is not served`);
    if (rest === '' || rest === '/') return discovery(group);
    try {
      return group === METRICS_GROUP ? this.resource(rest, url.searchParams.get('labelSelector') ?? undefined) : this.external(rest);
    } catch (e) {
      if (e instanceof StatusError) return { code: e.code, body: e.status }; // a bad labelSelector: 400
      throw e;
    }
  }

  private resource(rest: string, selector: string | undefined): MetricsAnswer {
    const now = rfc3339(this.store.clock.now());
    const pods = /^(?:\/namespaces\/([^/]+))?\/pods(?:\/([^/]+))?$/.exec(rest);
    if (pods) {
      const [, ns, name] = pods.map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
      const items = this.running(ns, selector).map((p) => this.podMetrics(p, now));
      if (name === undefined) return { code: 200, body: { kind: 'PodMetricsList', apiVersion: `${METRICS_GROUP}/${VERSION}`, metadata: {}, items } };
      const one = items.find((i) => i.metadata.name === name);
      return one ? { code: 200, body: one } : status(404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`);
    }
    const nodes = /^\/nodes(?:\/([^/]+))?$/.exec(rest);
    if (nodes) {
      const name = nodes[1] === undefined ? undefined : decodeURIComponent(nodes[1]);
      const byNode = new Map<string, { cpu: number; memory: number }>();
      for (const p of this.running(undefined, undefined)) {
        const n = p.spec.nodeName ?? '';
        const u = byNode.get(n) ?? { cpu: 0, memory: 0 };
        u.cpu += this.metrics.podUsage(p, 'cpu');
        u.memory += this.metrics.podUsage(p, 'memory');
        byNode.set(n, u);
      }
      const items = [...byNode].filter(([n]) => n && (name === undefined || n === name)).map(([n, u]) => ({
        kind: 'NodeMetrics', apiVersion: `${METRICS_GROUP}/${VERSION}`, metadata: { name: n, creationTimestamp: now },
        timestamp: now, window: WINDOW, usage: { cpu: formatMilli(u.cpu, 'cpu'), memory: formatMilli(u.memory, 'memory') },
      }));
      if (name === undefined) return { code: 200, body: { kind: 'NodeMetricsList', apiVersion: `${METRICS_GROUP}/${VERSION}`, metadata: {}, items } };
      return items[0] ? { code: 200, body: items[0] } : status(404, 'NotFound', `nodemetrics.metrics.k8s.io "${name}" not found`);
    }
    return status(404, 'NotFound', `the server could not find the requested resource`);
  }

  /** Pods with a running container: what a metrics pipeline has samples of. */
  private running(ns: string | undefined, selector: string | undefined): StoredObject<Pod>[] {
    const match = parseLabelSelector(selector);
    return this.store.list<Pod>(R.pods, ns).items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && (!match || match(p)));
  }

  /** The pod's usage is given to its first container (the HPA sums the containers of a pod). */
  private podMetrics(p: StoredObject<Pod>, now: string) {
    const usage = { cpu: formatMilli(this.metrics.podUsage(p, 'cpu'), 'cpu'), memory: formatMilli(this.metrics.podUsage(p, 'memory'), 'memory') };
    const zero = { cpu: '0', memory: '0' };
    return {
      kind: 'PodMetrics', apiVersion: `${METRICS_GROUP}/${VERSION}`,
      metadata: { name: p.metadata.name ?? '', namespace: p.metadata.namespace ?? '', labels: p.metadata.labels ?? {}, creationTimestamp: now },
      timestamp: now, window: WINDOW,
      containers: p.spec.containers.map((c, i) => ({ name: c.name, usage: i === 0 ? usage : zero })),
    };
  }

  private external(rest: string): MetricsAnswer {
    const m = /^\/namespaces\/([^/]+)\/([^/]+)$/.exec(rest);
    if (!m) return status(404, 'NotFound', 'the server could not find the requested resource');
    const ns = decodeURIComponent(m[1] ?? ''), metric = decodeURIComponent(m[2] ?? '');
    const value = this.metrics.externalValue(ns, metric);
    // An adapter with no series answers an empty list; the HPA then reports FailedGetExternalMetric.
    const items = value === undefined ? [] : [{ metricName: metric, metricLabels: {}, timestamp: rfc3339(this.store.clock.now()), value: formatMilli(Math.round(value * 1000), 'cpu') }];
    return { code: 200, body: { kind: 'ExternalMetricValueList', apiVersion: `${EXTERNAL_METRICS_GROUP}/${VERSION}`, metadata: {}, items } };
  }
}
