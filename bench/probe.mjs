// probe: /readyz of a control plane running the Kubernetes provider, p50/p99, against one raw API
// round trip to the same API server (the floor any check that asks the API pays), at 10, 1,000 and
// 10,000 tracked pods. The two are sampled alternately, so both see the same machine.
import { QUICK, percentile, round } from './lib/common.mjs';
import { clusterWithPods } from './lib/cluster.mjs';

export default {
  name: 'probe',
  description: '/readyz p50/p99 vs one raw Kubernetes API round trip, at 10, 1,000 and 10,000 pods',
  async run() {
    const samples = QUICK ? 200 : 1000;
    const rows = [];
    for (const pods of [10, 1000, 10_000]) {
      const { sim, cp } = await clusterWithPods(pods);
      const probe = [], raw = [], codes = new Map(), causes = new Map();
      for (let i = 0; i < samples; i++) {
        // `?verbose` answers the same checks, naming each: a 503 says which check failed and why.
        const r = await cp.get('/readyz?verbose');
        probe.push(r.ms);
        codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
        if (r.status !== 200) for (const line of r.text().split('\n').filter((l) => l.startsWith('[-]'))) causes.set(line, (causes.get(line) ?? 0) + 1);
        raw.push(await sim.rawRoundTrip());
      }
      const p99 = percentile(probe, 99), rawP99 = percentile(raw, 99);
      rows.push({ pods, '/readyz p50 ms': round(percentile(probe, 50), 2), '/readyz p99 ms': round(p99, 2),
        'raw API p50 ms': round(percentile(raw, 50), 2), 'raw API p99 ms': round(rawP99, 2), 'p99 ratio': round(p99 / rawP99, 2),
        'status codes': [...codes].map(([c, n]) => `${c}×${n}`).join(' '),
        ...(causes.size ? { 'failed checks': [...causes].map(([l, n]) => `${n}× ${l.slice(3)}`).join('; ') } : {}) });
    }
    return { rows, params: { samples }, notes: [`${samples} sequential /readyz requests per level, each followed by one raw GET of the namespace; a 503 lists the checks that failed.`] };
  },
};
