// Vitest global setup: builds (or takes from the cache) and starts ONE real Kubernetes control
// plane with simulated nodes for the whole run (src/kube-sim/remote/cluster.ts). The tests on it
// read its kubeconfigs through inject('k8sReal') (k8s-real-context.ts).
//  - HODEI_K8S_REAL=0: skipped on purpose; no Go on the machine: one line says so; the rest runs.
//  - a run filtered to other files does not pay for the start (see wanted()).
import type { TestProject } from 'vitest/node';
import { GoMissingError } from '../../src/kube-sim/remote/control-plane.js';
import { startRealCluster, type RealCluster } from '../../src/kube-sim/remote/cluster.js';
import type { K8sRealContext } from './k8s-real-context.js';

const NONE: Omit<K8sRealContext, 'skipped'> = { server: '', kubeconfig: '', adminKubeconfig: '', kubectl: '', workerNamespace: '', nodes: [], nodeAdminUrl: '', ca: '' };

/**
 * Started for a whole-suite run (no file filter), for HODEI_K8S_REAL=1, or when a filter names one
 * of the files that use it; any other filtered run does not pay for it. (vitest keeps the filters
 * on the instance; not public API.)
 */
function wanted(project: TestProject): boolean {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  return !filters?.length || filters.some((f) => /k8s-real|k8s-fidelity/.test(f));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const skip = (why: string, say: boolean) => {
    if (say) console.log(`real Kubernetes control plane: ${why}`);
    project.provide('k8sReal', { ...NONE, skipped: why });
    return async () => {};
  };
  if (process.env.HODEI_K8S_REAL === '0') return skip('skipped (HODEI_K8S_REAL=0)', true);
  if (process.env.HODEI_K8S_REAL !== '1' && !wanted(project)) return skip('not started (no Kubernetes test selected)', false);
  let cluster: RealCluster;
  try {
    cluster = await startRealCluster({
      nodes: 2, imagePullLatencyMs: 5, containerStartLatencyMs: 2, imagePullBackoffMs: 50, restartBackoffMs: 50,
      log: (line) => console.log(`real Kubernetes control plane: ${line}`),
    });
  } catch (e) {
    if (e instanceof GoMissingError) return skip(`not run: ${e.message}`, true);
    throw e;
  }
  const b = cluster.binary;
  console.log(`real Kubernetes control plane: ${cluster.controlPlane.server} (${b.built ? `built in ${Math.round(b.ms / 1000)} s, ` : 'cached binary, '}up in ${cluster.controlPlane.startMs} ms)`);
  project.provide('k8sReal', {
    skipped: '', server: cluster.controlPlane.server, kubeconfig: cluster.kubeconfig, adminKubeconfig: cluster.adminKubeconfig,
    kubectl: b.kubectl, workerNamespace: cluster.workerNamespace, nodes: cluster.kubelets.nodes,
    nodeAdminUrl: cluster.kubelets.adminUrl, ca: cluster.controlPlane.ca,
  });
  return () => cluster.stop();
}
