// `npm run k8s:real -- --kubeconfig-out FILE [--nodes N]`: a real Kubernetes control plane
// (built from test/k8s-control-plane, cached) with kube-sim's simulated nodes, set up like
// deploy/kubernetes. Writes the `hodei` ServiceAccount's kubeconfig to FILE, prints `ready` when
// a job can run, and runs until SIGTERM/SIGINT. Needs `npm run build` (the script runs it).
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'kubeconfig-out': { type: 'string' }, nodes: { type: 'string', default: '2' } } });
const { startRealCluster } = await import('../dist/kube-sim/remote/cluster.js');
const log = (line) => process.stderr.write(`${line}\n`);
const started = Date.now();
const cluster = await startRealCluster({
  nodes: Number(values.nodes), log,
  ...(values['kubeconfig-out'] ? { kubeconfigOut: values['kubeconfig-out'] } : {}),
});
log(`k8s:real: control plane ${cluster.controlPlane.server} (${cluster.binary.built ? `built in ${cluster.binary.ms} ms, ` : ''}started in ${Date.now() - started} ms)`);
log(`k8s:real: nodes ${cluster.kubelets.nodes.join(', ')} (metrics APIs and /__sim admin routes at ${cluster.kubelets.adminUrl}, admin token); kubeconfig (ServiceAccount hodei-jobs/hodei) ${cluster.kubeconfig}; admin ${cluster.adminKubeconfig}; kubectl ${cluster.binary.kubectl}`);
console.log('ready');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
