// The shared WorkerProvider conformance suite for the Kubernetes provider on the REAL control
// plane of this run (test/support/k8s-real-setup.ts), as the `hodei` ServiceAccount of deploy/.
import * as vitest from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { runProviderConformance } from '../support/provider-conformance.js';
import { KubernetesProvider } from '../../src/providers/kubernetes/kubernetes-provider.js';
import type { KubernetesSettings } from '../../src/providers/kubernetes/config.js';
import { realCluster } from '../support/k8s-real-context.js';
import { grantWorkerNamespace } from '../support/k8s-real.js';

const ctx = realCluster('k8s-real conformance');

const settings = (namespace: string, extra: KubernetesSettings = {}): KubernetesSettings => {
  if (!ctx) throw new Error('no real cluster');
  grantWorkerNamespace(ctx, namespace);
  return { kubeconfig: ctx.kubeconfig, namespace, createNamespace: false, pendingTimeoutMs: 8000, reconcileIntervalMs: 500, ...extra };
};

if (ctx) {
  runProviderConformance(vitest, {
    name: 'kubernetes (real kube-apiserver)',
    create: ({ lookupWorker }) => new KubernetesProvider({ settings: settings('hodei-real-conformance'), logger: silentLogger(), lookupWorker }),
    // A worker image no registry has: the kubelet reports ErrImagePull/ImagePullBackOff.
    createBroken: ({ lookupWorker }) => new KubernetesProvider({
      settings: settings('hodei-real-conformance-broken', { workerImage: 'registry.invalid/hodei-worker:none' }), logger: silentLogger(), lookupWorker,
    }),
    failureReasons: ['ImagePullBackOff', 'ErrImagePull'],
  });
} else {
  vitest.it.skip('kubernetes (real kube-apiserver) conformance', () => {});
}
