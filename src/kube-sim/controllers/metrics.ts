// The sim's metrics API stand-in: pod resource usage (for Resource metrics) and external metric
// values (for External metrics), set by tests and users through admin endpoints or annotations.
//   PUT    /__sim/external-metrics/<namespace>/<metric>  {"value": 42}
//   DELETE /__sim/external-metrics/<namespace>/<metric>
//   GET    /__sim/external-metrics
//   PUT    /__sim/pod-metrics/<namespace>/<pod>          {"cpu": "250m", "memory": "100Mi"}
//   PUT    /__sim/pod-metrics/<namespace>                {"cpu": ...}  default for the namespace's pods
//   DELETE /__sim/pod-metrics/<namespace>[/<pod>]
//   GET    /__sim/pod-metrics
import { errors, type ObjectStore } from '../store/index.js';
import { isQuantity, toMilli } from '../quantity.js';
import { addAdminRoute, requireBody } from '../apiserver/admin-routes.js';
import { ANNOTATIONS } from './kubelet/annotations.js';
import type { Pod } from './pod-types.js';
import { podRequests } from './requests.js';

type Usage = { cpu?: string; memory?: string };

export class SimMetrics {
  private readonly external = new Map<string, number>();
  private readonly pods = new Map<string, Usage>();

  setExternal(namespace: string, metric: string, value: number): void { this.external.set(`${namespace}/${metric}`, value); }
  externalValue(namespace: string, metric: string): number | undefined { return this.external.get(`${namespace}/${metric}`); }
  setPodUsage(namespace: string, pod: string | undefined, usage: Usage): void { this.pods.set(`${namespace}/${pod ?? '*'}`, usage); }

  /**
   * Usage of a pod in milli-units (cpu: millicores, memory: bytes × 1000): admin-set value for the
   * pod, else its annotation, else the namespace default, else half its request.
   */
  podUsage(pod: Pod, resource: 'cpu' | 'memory'): number {
    const ns = pod.metadata.namespace ?? '';
    const pick = (u: Usage | undefined) => u?.[resource];
    const annotated = pod.metadata.annotations?.[resource === 'cpu' ? ANNOTATIONS.cpuUsage : ANNOTATIONS.memoryUsage];
    const v = pick(this.pods.get(`${ns}/${pod.metadata.name ?? ''}`)) ?? annotated ?? pick(this.pods.get(`${ns}/*`));
    if (v !== undefined && isQuantity(v)) return toMilli(v);
    return Math.round((podRequests(pod.spec).get(resource) ?? 0) * 0.5);
  }

  registerRoutes(store: ObjectStore): (() => void)[] {
    const quantity = (v: unknown, k: string): string | undefined => {
      if (v === undefined) return undefined;
      if ((typeof v !== 'string' && typeof v !== 'number') || !isQuantity(v)) throw errors.badRequest(`${k} must be a quantity`);
      return String(v);
    };
    const usage = (body: unknown): Usage => {
      const b = requireBody(body, '{"cpu": "250m", "memory": "100Mi"}');
      const cpu = quantity(b.cpu, 'cpu'), memory = quantity(b.memory, 'memory');
      return { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) };
    };
    return [
      addAdminRoute(store, { method: 'GET', path: /^\/__sim\/external-metrics$/, handle: () => ({ body: Object.fromEntries(this.external) }) }),
      addAdminRoute(store, {
        method: 'PUT', path: /^\/__sim\/external-metrics\/([^/]+)\/([^/]+)$/, handle: (m, body) => {
          const v = Number(requireBody(body, '{"value": 42}').value);
          if (!Number.isFinite(v)) throw errors.badRequest('value must be a number');
          this.setExternal(m[1] ?? '', decodeURIComponent(m[2] ?? ''), v);
          return { body: { namespace: m[1], metric: decodeURIComponent(m[2] ?? ''), value: v } };
        },
      }),
      addAdminRoute(store, { method: 'DELETE', path: /^\/__sim\/external-metrics\/([^/]+)\/([^/]+)$/, handle: (m) => ({ body: { deleted: this.external.delete(`${m[1] ?? ''}/${decodeURIComponent(m[2] ?? '')}`) } }) }),
      addAdminRoute(store, { method: 'GET', path: /^\/__sim\/pod-metrics$/, handle: () => ({ body: Object.fromEntries(this.pods) }) }),
      addAdminRoute(store, {
        method: 'PUT', path: /^\/__sim\/pod-metrics\/([^/]+)(?:\/([^/]+))?$/, handle: (m, body) => {
          const u = usage(body);
          this.setPodUsage(m[1] ?? '', m[2], u);
          return { body: u };
        },
      }),
      addAdminRoute(store, { method: 'DELETE', path: /^\/__sim\/pod-metrics\/([^/]+)(?:\/([^/]+))?$/, handle: (m) => ({ body: { deleted: this.pods.delete(`${m[1] ?? ''}/${m[2] ?? '*'}`) } }) }),
    ];
  }
}
