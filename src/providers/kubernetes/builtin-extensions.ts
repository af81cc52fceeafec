// The provider's built-in extensions (network policy, violation watch, worker pools), built from
// its options in start order.
import type { KubernetesOptions } from './config.js';
import type { ProviderExtension } from './extension.js';
import { NetworkPolicyExtension } from './network-policy/network-policy.js';
import { NetpolViolationWatch } from './network-policy/watch.js';
import { PoolManager, type PoolWorkerCount } from './pools/pools.js';

/** The provider's built-in extensions, in start order. */
export interface BuiltinExtensions {
  netpol: NetworkPolicyExtension | undefined;
  /** Runtime NetworkPolicyViolation events of worker pods: always watched. */
  violations: NetpolViolationWatch;
  pools: PoolManager;
  all: ProviderExtension[];
}

export function builtinExtensions(o: KubernetesOptions, countPoolWorkers?: PoolWorkerCount): BuiltinExtensions {
  const netpol = o.networkPolicy?.enabled ? new NetworkPolicyExtension(o.networkPolicy) : undefined;
  const pools = new PoolManager(o, countPoolWorkers);
  const violations = new NetpolViolationWatch();
  return { netpol, violations, pools, all: [...(netpol ? [netpol] : []), violations, pools] };
}
