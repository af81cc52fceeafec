// Test helpers: a kube-sim with test-speed latencies (its kubelet really runs `hodei worker`), the
// sim's admin statistics, and polling. Shared by the provider's unit tests and test/e2e/kubernetes-*.
import { startKubeSim, type KubeSim, type KubeSimOptions } from '../../../src/kube-sim/index.js';
import type { KubernetesSettings } from '../../../src/providers/kubernetes/config.js';

/** Latencies of a few ms so tests go through every pod state quickly. */
export const FAST_SIM: KubeSimOptions = {
  schedulingLatencyMs: 2, imagePullLatencyMs: 5, containerStartLatencyMs: 2, imagePullBackoffMs: 50,
  restartBackoffMs: 50, schedulerRetryMs: 200, bookmarkIntervalMs: 500,
  // The kubelet here reaches a new pod within milliseconds, usually before its token Secret (created
  // right after the pod) exists: retry the Secret volume at test speed, as the pulls above.
  volumeMountRetryMs: 50,
};

const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: (m: string, f?: Record<string, unknown>) => console.error(m, f ?? '') };

export async function startTestSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  return startKubeSim({ logger: quietLogger, ...FAST_SIM, ...options });
}

/** Provider settings for a sim: short pending timeout and reconcile period. */
export function simSettings(sim: KubeSim, extra: KubernetesSettings = {}): KubernetesSettings {
  return { kubeconfig: sim.kubeconfig, pendingTimeoutMs: 4000, reconcileIntervalMs: 500, qps: 500, burst: 1000, ...extra };
}

/** Requests the sim received by "verb resource code" key, and faults it injected by "fault verb resource". */
export function simCounts(sim: KubeSim): { requests: Record<string, number>; faults: Record<string, number> } {
  const s = sim.admin.stats();
  return { requests: s.requests.byKey, faults: s.faults.byKey };
}

export { poll } from '../wait.js';
