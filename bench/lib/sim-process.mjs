// The benchmarks' Kubernetes API: kube-sim as a bare API server (no scheduler or kubelet, so
// nothing but the client under test makes requests) with 4 Ready nodes, in its own process so its
// CPU and memory are not the measured process's. Driven over IPC:
//   {op: 'pods', count, namespace, providerId} → makes exactly `count` Running worker-like pods exist
//   (built by the provider's own pod builder, without a worker id so no GC deletes them).
import { startKubeSim } from '../../dist/kube-sim/index.js';
import { NodeController, nodeLayout } from '../../dist/kube-sim/controllers/nodes.js';
import { R } from '../../dist/kube-sim/store/index.js';
import { buildWorkerPod } from '../../dist/providers/kubernetes/pods/pod-spec.js';
import { defaultKubernetesOptions } from '../../dist/providers/kubernetes/config.js';
import { LABEL } from '../../dist/providers/kubernetes/labels.js';

const sim = await startKubeSim({ tls: false, controllers: () => [new NodeController(nodeLayout({ nodes: 4 }))], store: { historySize: 50_000 } });
const pods = new Map(); // namespace → names created here, in order

function ensureNamespace(ns) {
  if (!sim.store.get(R.namespaces, undefined, ns)) sim.store.create(R.namespaces, { metadata: { name: ns } });
}

function podObject(ns, i, providerId) {
  const o = { ...defaultKubernetesOptions(), id: providerId };
  const { pod } = buildWorkerPod({ workerId: `w-bench-${i}`, jobId: `bench-job-${i}`, token: 'x', serverUrl: 'http://127.0.0.1:1', resources: {}, labels: {} }, o, ns, 'http://127.0.0.1:1');
  delete pod.metadata.labels[LABEL.workerId];
  pod.metadata.name = `bench-pod-${i}`;
  pod.spec.nodeName = `kube-sim-node-${(i % 4) + 1}`;
  return pod;
}

function runningStatus(p, at) {
  p.status = {
    phase: 'Running', hostIP: '10.0.0.2', podIP: `10.244.0.${(Number(p.metadata.name.split('-').pop()) % 250) + 2}`, startTime: at, qosClass: 'Burstable',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: at })),
    containerStatuses: [{ name: 'worker', ready: true, started: true, restartCount: 0, image: p.spec.containers[0].image, imageID: 'sha256:bench',
      containerID: `containerd://${p.metadata.uid}`, state: { running: { startedAt: at } } }],
  };
}

async function setPods({ count, namespace, providerId }) {
  ensureNamespace(namespace);
  const names = pods.get(namespace) ?? [];
  pods.set(namespace, names);
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  while (names.length < count) {
    const i = names.length;
    const pod = podObject(namespace, i, providerId);
    sim.store.create(R.pods, pod);
    sim.store.mutate(R.pods, namespace, pod.metadata.name, (p) => runningStatus(p, at), { subresource: 'status' });
    names.push(pod.metadata.name);
    if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let watchers drain
  }
  while (names.length > count) {
    sim.store.delete(R.pods, namespace, names.pop(), { gracePeriodSeconds: 0 });
    if (names.length % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  return { count: names.length };
}

process.on('message', async (m) => {
  try {
    if (m.op === 'pods') process.send({ ok: true, value: await setPods(m) });
    else if (m.op === 'stop') {
      await sim.stop();
      process.send({ ok: true });
      process.disconnect();
    }
  } catch (err) {
    process.send({ ok: false, error: err.stack ?? String(err) });
  }
});
process.send({ ok: true, value: { kubeconfig: sim.kubeconfig, url: sim.url, token: sim.token } });
