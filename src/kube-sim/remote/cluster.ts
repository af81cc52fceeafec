// A real control plane with simulated nodes, set up the way Hodei is deployed: the deploy/
// namespaces, ServiceAccount and RBAC applied with the real kubectl, and a kubeconfig for the
// `hodei` ServiceAccount (token from the TokenRequest API) — the provider's exact rights.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../util/paths.js';
import type { SimControllerOptions } from '../controllers/options.js';
import type { SimLogger } from '../types.js';
import { RemoteApi } from './api.js';
import { metricsApisWaiting } from './apiservices.js';
import { ensureControlPlaneBinary, startControlPlane, type ControlPlane, type ControlPlaneBinary } from './control-plane.js';
import { startRemoteKubelets, type RemoteKubelets } from './index.js';

export interface RealCluster {
  controlPlane: ControlPlane;
  binary: ControlPlaneBinary;
  kubelets: RemoteKubelets;
  /** Admin kubeconfig. */
  adminKubeconfig: string;
  /** Kubeconfig of ServiceAccount hodei-jobs/hodei: exactly deploy/kubernetes/rbac.yaml. */
  kubeconfig: string;
  /** The worker namespace of deploy/ (restricted Pod Security enforced). */
  workerNamespace: string;
  kubectl(args: string[], kubeconfig?: string): string;
  stop(): Promise<void>;
}

export interface RealClusterOptions extends SimControllerOptions {
  /** Where the token-user kubeconfig is written (default: in the state directory). */
  kubeconfigOut?: string;
  logger?: SimLogger;
  log?: (line: string) => void;
}

const DEPLOY_FILES = ['namespaces.yaml', 'serviceaccount.yaml', 'rbac.yaml'];

export async function startRealCluster(options: RealClusterOptions = {}): Promise<RealCluster> {
  const binary = ensureControlPlaneBinary(options.log);
  const dir = mkdtempSync(join(tmpdir(), 'hodei-k8s-real-'));
  const cp = await startControlPlane(binary.bin, dir).catch((e: unknown) => { rmSync(dir, { recursive: true, force: true }); throw e; });
  const kubectl = (args: string[], kubeconfig = cp.kubeconfig): string =>
    execFileSync(binary.kubectl, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let kubelets: RemoteKubelets | undefined;
  try {
    const deploy = join(packageRoot(), 'deploy', 'kubernetes');
    kubectl(['apply', ...DEPLOY_FILES.flatMap((f) => ['-f', join(deploy, f)])]);
    const token = kubectl(['create', 'token', 'hodei', '-n', 'hodei-jobs', '--duration=48h']).trim();
    const admin = readFileSync(cp.kubeconfig, 'utf8');
    const kubeconfig = options.kubeconfigOut ?? join(dir, 'hodei.kubeconfig');
    writeFileSync(kubeconfig, admin.replace(/^- name: admin$/m, '- name: hodei').replace(/user: admin\}/, 'user: hodei}').replace(/token: \S+/, `token: ${token}`), { mode: 0o600 });
    const { logger, log: _log, kubeconfigOut: _out, ...sim } = options;
    void _log; void _out;
    kubelets = await startRemoteKubelets({ ...sim, ...(logger ? { logger } : {}), kubeconfig: cp.kubeconfig, tlsCertFile: cp.servingCert, tlsKeyFile: cp.servingKey });
    await waitUntilSchedulable(cp.kubeconfig, 'hodei-jobs-workers', kubelets.nodes);
  } catch (e) {
    await kubelets?.stop();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const theKubelets = kubelets;
  return {
    controlPlane: cp, binary, kubelets: theKubelets, adminKubeconfig: cp.kubeconfig,
    kubeconfig: options.kubeconfigOut ?? join(dir, 'hodei.kubeconfig'), workerNamespace: 'hodei-jobs-workers', kubectl,
    async stop() {
      await theKubelets.stop();
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A job can run once pods are admitted in the worker namespace (the ServiceAccount controller
 * created `default` there) and the node lifecycle controller lifted the not-ready taint that
 * TaintNodesByCondition admission puts on every new Node; a pool can scale once the aggregator
 * found the nodes' metrics APIs available.
 */
async function waitUntilSchedulable(kubeconfig: string, ns: string, nodes: string[]): Promise<void> {
  const api = new RemoteApi(kubeconfig);
  const ready = async () => {
    if ((await api.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).code !== 200) return 'ServiceAccount default';
    for (const n of nodes) {
      const node = await api.request<{ spec?: { taints?: { key: string }[] } }>('GET', `/api/v1/nodes/${n}`);
      if (node.code !== 200 || node.body.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready')) return `node ${n} ready`;
    }
    return metricsApisWaiting(api);
  };
  try {
    const deadline = Date.now() + 90_000;
    for (let waiting = await ready(); waiting; waiting = await ready()) {
      if (Date.now() > deadline) throw new Error(`real cluster not schedulable within 90 s: waiting for ${waiting} (see kube-controller-manager.log)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    api.close();
  }
}
