// Public surface of the Kubernetes provider.
export { KubernetesProvider, type KubernetesProviderOptions } from './kubernetes-provider.js';
export type { ProviderExtension, ExtensionContext } from './extension.js';
export { builtinExtensions, type BuiltinExtensions } from './builtin-extensions.js';
export { KubeClient, KubeHttpError, type ApiRequestEvent, type ApiRequestHook, type KubeClientOptions } from './client/client.js';
export {
  resolveKubernetesOptions, validateKubernetesSettings, kubernetesSettingsFromEnv, DEFAULT_NAMESPACE,
  type KubernetesSettings, type KubernetesOptions, type RetentionPolicy,
} from './config.js';
export type { KubernetesProviderEventMap, PodRef, PodResources, StartupBreakdown } from './events.js';
export { FAILURE_REASONS, podState, classifyPod, type FailureReason, type PodJson, type PodState, type WorkerPhase } from './pods/pod-status.js';
export { buildWorkerPod, restrictedContainerSecurity } from './pods/pod-spec.js';
export { LABEL, ownedSelector } from './labels.js';
export { cpuMillis, memoryBytes, parseQuantity } from './quantity.js';
export type { WorkerLookup, WorkerInfo } from './pods/worker-tracker.js';
export {
  NetworkPolicyExtension, POLICY_NAMES, buildPolicies, allowList, firstDisallowed,
  type NetworkPolicyViolation, type ViolationSource, type NetpolEventMap,
} from './network-policy/network-policy.js';
export type { NetworkPolicySettings, EgressAllowRule } from './network-policy/config.js';
export { PoolManager, type PoolEventMap, type PoolHpaStatus, type PoolWorkerCount } from './pools/pools.js';
export { QUEUE_METRIC, type PoolSpec, type PoolTarget } from './pools/spec.js';
