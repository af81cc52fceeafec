// The shared WorkerProvider conformance suite, for the Kubernetes provider against kube-sim (whose
// kubelet really runs `hodei worker` in each pod).
import * as vitest from 'vitest';
import type { KubeSim } from '../../kube-sim/index.js';
import { silentLogger } from '../../observability/logger.js';
import { runProviderConformance } from '../../../test/support/provider-conformance.js';
import { KubernetesProvider } from './kubernetes-provider.js';
import { simSettings, startTestSim } from '../../../test/support/kubernetes/sim.js';

let sim: KubeSim | undefined;
vitest.beforeAll(async () => {
  sim = await startTestSim();
});
vitest.afterAll(async () => {
  await sim?.stop();
});
const theSim = (): KubeSim => {
  if (!sim) throw new Error('kube-sim not started');
  return sim;
};

runProviderConformance(vitest, {
  name: 'kubernetes (kube-sim)',
  create: ({ lookupWorker }) => new KubernetesProvider({
    settings: simSettings(theSim(), { namespace: 'hodei-conformance' }), logger: silentLogger(), lookupWorker,
  }),
  // A worker image no registry has: the pod never starts and its worker fails at the pending timeout.
  createBroken: ({ lookupWorker }) => new KubernetesProvider({
    settings: simSettings(theSim(), { namespace: 'hodei-conformance-broken', workerImage: 'registry.invalid/hodei-worker:none' }),
    logger: silentLogger(), lookupWorker,
  }),
  failureReasons: ['ImagePullBackOff', 'ErrImagePull'],
});
