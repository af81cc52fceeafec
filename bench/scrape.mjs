// scrape: what one Prometheus scrape of /metrics costs a control plane running the Kubernetes
// provider, at 10 and at 10,000 tracked pods: time (p50/p99) and bytes. The ratio is 10,000 / 10.
import { QUICK, percentile, round } from './lib/common.mjs';
import { clusterWithPods } from './lib/cluster.mjs';

export default {
  name: 'scrape',
  description: '/metrics time and bytes at 10 vs 10,000 pods',
  async run() {
    const samples = QUICK ? 50 : 300;
    const rows = [];
    for (const pods of [10, 10_000]) {
      const { cp } = await clusterWithPods(pods);
      const ms = [];
      let bytes = 0;
      for (let i = 0; i < samples; i++) {
        const r = await cp.get('/metrics');
        ms.push(r.ms);
        bytes = r.bytes;
      }
      rows.push({ pods, 'p50 ms': round(percentile(ms, 50), 2), 'p99 ms': round(percentile(ms, 99), 2), bytes });
    }
    const [small, big] = rows;
    rows.push({ pods: 'ratio 10,000 / 10', 'p50 ms': round(big['p50 ms'] / small['p50 ms'], 2), 'p99 ms': round(big['p99 ms'] / small['p99 ms'], 2), bytes: round(big.bytes / small.bytes, 2) });
    return { rows, params: { samples } };
  },
};
