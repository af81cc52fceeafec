// Binds the built-in extensions' events (network policy, pools) to the observability sinks:
// KubernetesProviderMetrics (hpa_operations_total, network_policy_violations_total,
// hpa_response_duration_seconds) and the platform event recorder (hpa.*, network_policy.violation).
// Called by whoever attaches observability to the provider; returns the unbinder.
import type { KubernetesProviderMetrics } from './metrics.js';
import type { NetworkPolicyViolation } from '../../providers/kubernetes/network-policy/network-policy.js';
import type { BuiltinExtensions } from '../../providers/kubernetes/builtin-extensions.js';
import type { PoolEventMap } from '../../providers/kubernetes/pools/pools.js';
import type { EventSource } from '../events/types.js';

export interface ExtrasSinks {
  metrics?: Pick<KubernetesProviderMetrics, 'recordHpaOperation' | 'recordNetworkPolicyViolation' | 'observeHpaResponse'>;
  events?: EventSource;
}

export function observeExtras(extras: BuiltinExtensions, sinks: ExtrasSinks): () => void {
  const { metrics, events } = sinks;
  const pools = extras.pools.events;
  const op = (ev: PoolEventMap['hpa.operation'][0]): void => {
    metrics?.recordHpaOperation(ev.operation);
    const base = { namespace: ev.namespace };
    if (ev.operation === 'delete') events?.record('hpa.deleted', { ...base, details: { pool: ev.pool } });
    else if (ev.operation === 'create') events?.record('hpa.created', { ...base, details: { pool: ev.pool, min: ev.spec?.min ?? 0, max: ev.spec?.max ?? 0 } });
    else events?.record('hpa.updated', { ...base, details: { pool: ev.pool, ...(ev.spec ? { min: ev.spec.min, max: ev.spec.max, target: ev.spec.target.type } : {}) } });
  };
  const scaled = (ev: PoolEventMap['hpa.scaled'][0]): void => {
    metrics?.recordHpaOperation(ev.direction === 'up' ? 'scale_up' : 'scale_down');
    metrics?.observeHpaResponse(ev.durationMs);
    events?.record(ev.direction === 'up' ? 'hpa.scale_up' : 'hpa.scale_down', {
      namespace: ev.namespace, durationMs: ev.durationMs, details: { pool: ev.pool, from: ev.from, to: ev.to },
    });
  };
  pools.on('hpa.operation', op);
  pools.on('hpa.scaled', scaled);
  const offs: Array<() => void> = [() => pools.off('hpa.operation', op), () => pools.off('hpa.scaled', scaled)];
  // Admission refusals come from the policy extension (when on); runtime denials from the watch.
  for (const np of [extras.netpol?.events, extras.violations.events]) {
    if (!np) continue;
    const violation = (v: NetworkPolicyViolation): void => {
      // One increment per denial: a repeated Kubernetes Event stands for `count` of them.
      for (let i = 0; i < v.count; i++) metrics?.recordNetworkPolicyViolation(v.source);
      events?.record('network_policy.violation', {
        workerId: v.workerId, jobId: v.jobId, namespace: v.namespace,
        details: { source: v.source, destination: v.destination, ...(v.policy ? { policy: v.policy } : {}), ...(v.jobId ? { job_id: v.jobId } : {}) },
      });
    };
    np.on('violation', violation);
    offs.push(() => np.off('violation', violation));
  }
  return () => { for (const off of offs) off(); };
}
