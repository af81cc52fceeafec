// Replica recommendations of the HPA controller for each metric source, following the real
// replica calculator: usage ratio against the target, a tolerance band, ceil(ratio × pods).
import { formatMilli, isQuantity, toMilli } from '../quantity.js';
import { labelSelectorMatches, R, type ObjectStore, type StoredObject } from '../store/index.js';
import { isPodReady } from './replicaset.js';
import { isTerminalPod, type Pod, type Workload } from './pod-types.js';
import type { SimMetrics } from './metrics.js';
import { podRequests } from './requests.js';

export interface MetricTarget { type: 'Utilization' | 'Value' | 'AverageValue'; averageUtilization?: number; value?: string; averageValue?: string }
export interface MetricSpec {
  type: 'Resource' | 'External' | 'Pods' | 'Object' | 'ContainerResource';
  resource?: { name: string; target: MetricTarget };
  external?: { metric: { name: string; selector?: unknown }; target: MetricTarget };
}

export interface Recommendation {
  replicas: number;
  /** Human name used in conditions and events, e.g. "cpu resource utilization (percentage of request)". */
  name: string;
  current: Record<string, unknown>;
}

export class MetricError extends Error {
  constructor(readonly reason: string, message: string) { super(message); }
}

const q = (v: string | undefined): number | undefined => (v !== undefined && isQuantity(v) ? toMilli(v) : undefined);

export class HpaCalculator {
  constructor(private readonly store: ObjectStore, private readonly metrics: SimMetrics, private readonly tolerance: number) {}

  /** Running, ready pods of the scale target. */
  metricPods(target: StoredObject<Workload>): StoredObject<Pod>[] {
    return this.store.list<Pod>(R.pods, target.metadata.namespace).items.filter((p) =>
      !p.metadata.deletionTimestamp && !isTerminalPod(p) && p.status?.phase === 'Running' && isPodReady(p)
      && labelSelectorMatches(target.spec.selector, p.metadata.labels));
  }

  recommend(m: MetricSpec, current: number, target: StoredObject<Workload>): Recommendation {
    if (m.type === 'Resource' && m.resource) return this.resource(m.resource.name, m.resource.target, current, target);
    if (m.type === 'External' && m.external) return this.external(m.external.metric, m.external.target, current, target.metadata.namespace ?? '');
    throw new MetricError('InvalidMetricSourceType', `the HPA was unable to compute the replica count: unsupported metric source type "${m.type}" in the simulator`);
  }

  private ratioToReplicas(ratio: number, current: number, pods: number): number {
    return Math.abs(ratio - 1) <= this.tolerance ? current : Math.ceil(ratio * pods);
  }

  private resource(name: string, t: MetricTarget, current: number, target: StoredObject<Workload>): Recommendation {
    if (name !== 'cpu' && name !== 'memory') throw new MetricError('FailedGetResourceMetric', `failed to get ${name} utilization: unsupported resource`);
    const pods = this.metricPods(target);
    if (pods.length === 0) throw new MetricError('FailedGetResourceMetric', `failed to get ${name} utilization: did not receive metrics for targeted pods (pods might be unready)`);
    let usage = 0, request = 0;
    for (const p of pods) {
      const r = podRequests(p.spec).get(name);
      if (t.type === 'Utilization' && !r) throw new MetricError('FailedGetResourceMetric', `failed to get ${name} utilization: missing request for ${name} in pod ${p.metadata.name}`);
      request += r ?? 0;
      usage += this.metrics.podUsage(p, name);
    }
    const avg = usage / pods.length;
    if (t.type === 'Utilization') {
      const utilization = Math.round((usage * 100) / request);
      const want = t.averageUtilization ?? 80;
      return {
        replicas: this.ratioToReplicas(utilization / want, current, pods.length),
        name: `${name} resource utilization (percentage of request)`,
        current: { type: 'Resource', resource: { name, current: { averageUtilization: utilization, averageValue: formatMilli(Math.round(avg), name) } } },
      };
    }
    const wantAvg = q(t.averageValue);
    if (!wantAvg) throw new MetricError('FailedGetResourceMetric', `invalid ${name} target: averageValue is required`);
    const ratio = avg / wantAvg;
    return {
      replicas: Math.abs(ratio - 1) <= this.tolerance ? current : Math.ceil(usage / wantAvg),
      name: `${name} resource`,
      current: { type: 'Resource', resource: { name, current: { averageValue: formatMilli(Math.round(avg), name) } } },
    };
  }

  private external(metric: { name: string; selector?: unknown }, t: MetricTarget, current: number, ns: string): Recommendation {
    const sel = metric.selector ? JSON.stringify(metric.selector) : 'nil';
    const value = this.metrics.externalValue(ns, metric.name);
    if (value === undefined) {
      throw new MetricError('FailedGetExternalMetric', `unable to get external metric ${ns}/${metric.name}/${sel}: no metrics returned from external metrics API`);
    }
    const milli = Math.round(value * 1000);
    const name = `external metric ${metric.name}(${metric.selector ? sel : 'nil'})`;
    const currentMetric = (k: 'value' | 'averageValue', v: number) => ({ type: 'External', external: { metric: { name: metric.name, ...(metric.selector ? { selector: metric.selector } : {}) }, current: { [k]: formatMilli(Math.round(v), '') } } });
    if (t.type === 'AverageValue') {
      const wantAvg = q(t.averageValue);
      if (!wantAvg) throw new MetricError('FailedGetExternalMetric', 'invalid external target: averageValue is required');
      const ratio = milli / (wantAvg * Math.max(1, current));
      return {
        replicas: Math.abs(ratio - 1) <= this.tolerance ? current : Math.ceil(milli / wantAvg),
        name, current: currentMetric('averageValue', milli / Math.max(1, current)),
      };
    }
    const want = q(t.value);
    if (!want) throw new MetricError('FailedGetExternalMetric', 'invalid external target: value is required');
    return { replicas: this.ratioToReplicas(milli / want, current, current), name, current: currentMetric('value', milli) };
  }
}
