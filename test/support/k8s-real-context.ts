// What the real-control-plane global setup (k8s-real-setup.ts) hands to test files.
import { inject } from 'vitest';

export interface K8sRealContext {
  /** Why the real control plane is not there (HODEI_K8S_REAL=0, no Go, not asked for); empty when it is. */
  skipped: string;
  server: string;
  /** ServiceAccount hodei-jobs/hodei: exactly deploy/kubernetes/rbac.yaml. */
  kubeconfig: string;
  /** system:masters. */
  adminKubeconfig: string;
  kubectl: string;
  workerNamespace: string;
  /** Names of the simulated nodes. */
  nodes: string[];
  /** The nodes' admin endpoint (https, certificate of `ca`, admin token): /__sim/pod-metrics, /__sim/external-metrics, /__sim/connections. */
  nodeAdminUrl: string;
  /** CA file of the API server's and the nodes' certificates. */
  ca: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    k8sReal: K8sRealContext;
  }
}

/** The shared real cluster of this run, or undefined (with the reason logged once per file). */
export function realCluster(suite: string): K8sRealContext | undefined {
  const ctx = inject('k8sReal');
  if (ctx.skipped) {
    console.log(`${suite}: skipped on the real Kubernetes control plane: ${ctx.skipped}`);
    return undefined;
  }
  return ctx;
}
