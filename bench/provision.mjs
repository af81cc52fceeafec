// provision: worker pods created per second through the Kubernetes provider (its provision(): the
// pod, then its token Secret owned by the pod) against a bare @kubernetes/client-node
// createNamespacedPod loop creating the same pod, at the same concurrency, against the same
// kube-sim process; the provider at its defaults (no client-side rate limit) and under a few
// client-side limits (burst = qps, so the rate shows within a round): the curve.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Cleanup, QUICK, interleaved, lanes, median, now, round } from './lib/common.mjs';
import { startSim } from './lib/cluster.mjs';

const CONCURRENCY = 8;

export default {
  name: 'provision',
  description: `worker pods created/s: Kubernetes provider vs a bare client-node create loop, concurrency ${CONCURRENCY}`,
  async run() {
    const [{ KubernetesProvider }, { buildWorkerPod }, { defaultKubernetesOptions }, { createLogger }] = await Promise.all([
      import('../dist/providers/kubernetes/kubernetes-provider.js'), import('../dist/providers/kubernetes/pods/pod-spec.js'),
      import('../dist/providers/kubernetes/config.js'), import('../dist/observability/logger.js')]);
    const pods = QUICK ? 150 : 1000;
    const rounds = QUICK ? 2 : 3;
    const sim = await startSim();
    const cleanup = new Cleanup();
    let seq = 0;
    const request = () => {
      const id = `w-${++seq}-${randomBytes(3).toString('hex')}`;
      return { workerId: id, jobId: `job-${seq}`, token: randomBytes(16).toString('hex'), serverUrl: 'http://127.0.0.1:1', resources: {}, labels: {} };
    };
    try {
      const providers = {};
      const levels = [['provider (defaults: no client-side limit)', {}],
        ...[400, 100, 25].map((qps) => [`provider (qps ${qps}, burst ${qps})`, { qps, burst: qps }])];
      for (const [key, limits] of levels) {
        const p = new KubernetesProvider({
          settings: { kubeconfig: sim.kubeconfig, namespace: `bench-prov-${Object.keys(providers).length}`, ...limits },
          logger: createLogger({ level: 'silent' }),
        });
        let failed = 0;
        p.events.on('worker.failed', () => failed++);
        await p.start();
        cleanup.add(() => p.stop());
        let writes = 0;
        p.k8sEvents.on('api.request', (ev) => { if (ev.verb === 'create' || ev.verb === 'patch') writes++; });
        providers[key] = { p, failures: () => failed, requests: () => writes };
      }
      const kc = new KubeConfig();
      kc.loadFromFile(sim.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const bareNs = 'bench-bare';
      await core.createNamespace({ body: { metadata: { name: bareNs } } });
      const bareOpts = defaultKubernetesOptions();
      const subjects = ['bare client-node createNamespacedPod', ...Object.keys(providers)];
      const runs = await interleaved(subjects, rounds, async (name) => {
        const t0 = now();
        let failed = 0;
        if (providers[name]) {
          const { p, failures } = providers[name];
          const before = failures();
          await lanes(pods, CONCURRENCY, () => p.provision(request()));
          failed = failures() - before;
        } else {
          await lanes(pods, CONCURRENCY, async () => {
            const { pod } = buildWorkerPod(request(), bareOpts, bareNs, 'http://127.0.0.1:1');
            await core.createNamespacedPod({ namespace: bareNs, body: pod }).catch(() => failed++);
          });
        }
        return { perSecond: pods / ((now() - t0) / 1000), failed };
      });
      const rows = subjects.map((s) => ({ subject: s, 'pods/s': round(median(runs[s].map((r) => r.perSecond))), failed: runs[s].reduce((a, r) => a + r.failed, 0),
        // Writes per pod (creates and patches the provider sent, retries included): 3 before, 2 now.
        ...(providers[s] ? { 'writes/pod': round(providers[s].requests() / (pods * rounds), 2) } : { 'writes/pod': 1 }) }));
      for (const r of rows) r['vs bare loop'] = round(r['pods/s'] / rows[0]['pods/s'], 3);
      return { rows, params: { podsPerRound: pods, rounds, concurrency: CONCURRENCY }, notes: [`${rounds} interleaved rounds of ${pods} pods each, medians; the API server is kube-sim without controllers (nothing else calls it). A limit level holds burst = qps, so its rate shows within a round.`] };
    } finally {
      await cleanup.run();
    }
  },
};
