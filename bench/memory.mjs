// memory: the control plane's resident memory and V8 heap (Kubernetes provider, PostgreSQL store)
// at 10 and at 10,000 tracked pods, and the cost per tracked pod. The control plane is restarted
// at 10 pods first, so the baseline is not a heap that once held more.
import { QUICK, round, sleep } from './lib/common.mjs';
import { clusterWithPods, restartControlPlane, startSim } from './lib/cluster.mjs';

const MB = 2 ** 20;

/** The lowest of a few samples a second apart (each after a full GC), once the process settled. */
async function settled(cp) {
  await sleep(QUICK ? 2000 : 5000);
  const xs = [];
  for (let i = 0; i < (QUICK ? 3 : 6); i++) {
    xs.push(await cp.memory());
    await sleep(1000);
  }
  return { rss: Math.min(...xs.map((x) => x.rss)), heap: Math.min(...xs.map((x) => x.heap)) };
}

export default {
  name: 'memory',
  description: 'control-plane RSS and heap per tracked pod at 10,000 pods (PostgreSQL store)',
  async run() {
    await (await startSim()).setPods(10);
    await restartControlPlane();
    const levels = [];
    for (const pods of [10, 10_000]) {
      const { cp } = await clusterWithPods(pods);
      levels.push({ pods, ...(await settled(cp)) });
    }
    const [a, b] = levels;
    const per = (k) => (b[k] - a[k]) / (b.pods - a.pods);
    const rows = levels.map((l) => ({ pods: l.pods, 'RSS MB': round(l.rss / MB), 'heap MB': round(l.heap / MB) }));
    rows.push({ pods: 'per tracked pod', 'RSS MB': `${round(per('rss') / 1024, 2)} KB`, 'heap MB': `${round(per('heap') / 1024, 2)} KB` });
    return { rows, params: { levels } };
  },
};
