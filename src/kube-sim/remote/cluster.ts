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
    await waitForDefaultServiceAccount(cp.kubeconfig, 'hodei-jobs-workers');
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

/** Pods are refused until the ServiceAccount controller created `default` in their namespace. */
async function waitForDefaultServiceAccount(kubeconfig: string, ns: string): Promise<void> {
  const api = new RemoteApi(kubeconfig);
  try {
    const deadline = Date.now() + 60_000;
    while ((await api.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).code !== 200) {
      if (Date.now() > deadline) throw new Error(`ServiceAccount ${ns}/default not created within 60 s (is kube-controller-manager running?)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    api.close();
  }
}
