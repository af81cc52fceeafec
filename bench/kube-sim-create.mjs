// Pod-create throughput of kube-sim vs a trivial HTTP server that answers every create with 201,
// both driven by @kubernetes/client-node in the same run, so the ratio (sim / baseline) factors out
// the client's own cost and the machine. This is the baseline the provider benchmark divides by.
//
//   npm run build && node bench/kube-sim-create.mjs [--pods 5000] [--concurrency 50] [--rounds 2] [--tls]
// (--tls serves the sim over HTTPS; the baseline stays plain HTTP, so the ratio then includes TLS.)
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeSim } from '../dist/kube-sim/index.js';
import { writeKubeconfig } from '../dist/kube-sim/apiserver/kubeconfig.js';

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    tls: { type: 'boolean', default: false },
  },
});
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

/** The cheapest server client-node accepts: echo the body back with a name and 201. */
async function startBaseline() {
  let rv = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      body.metadata = { ...body.metadata, resourceVersion: String(++rv), uid: String(rv) };
      const text = JSON.stringify(body);
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const path = join(mkdtempSync(join(tmpdir(), 'kube-sim-bench-')), 'kubeconfig');
  writeKubeconfig(path, { server: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, token: 'bench' });
  return { kubeconfig: path, stop: () => new Promise((resolve) => server.close(resolve)) };
}

async function createPods(kubeconfig, namespace, prefix) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  let next = 0, failed = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < PODS) {
      const i = next++;
      try {
        await core.createNamespacedPod({ namespace, body: {
          metadata: { name: `${prefix}-${i}`, labels: { bench: prefix } },
          spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        } });
      } catch { failed++; }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: PODS / seconds, seconds, failed };
}

const sim = await startKubeSim({ tls: values.tls });
const baseline = await startBaseline();
const results = { sim: [], baseline: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so neither side always runs on a warmer JIT.
    const order = r % 2 === 0 ? ['baseline', 'sim'] : ['sim', 'baseline'];
    for (const which of order) {
      const ns = `bench-${r}`;
      if (which === 'sim') sim.store.create('namespaces', { metadata: { name: ns } });
      const res = await createPods(which === 'sim' ? sim.kubeconfig : baseline.kubeconfig, ns, `${which}-${r}`);
      results[which].push(res);
      console.log(`round ${r + 1} ${which.padEnd(8)} ${Math.round(res.perSecond)} creates/s (${res.seconds.toFixed(2)} s, ${res.failed} failed)`);
    }
  }
} finally {
  await sim.stop();
  await baseline.stop();
}
const best = (xs) => Math.max(...xs.map((x) => x.perSecond));
const simRate = best(results.sim), baseRate = best(results.baseline);
console.log(JSON.stringify({
  benchmark: 'kube-sim-create', pods: PODS, concurrency: CONCURRENCY, tls: values.tls,
  simCreatesPerSecond: Math.round(simRate), baselineCreatesPerSecond: Math.round(baseRate), ratio: Number((simRate / baseRate).toFixed(3)),
}));
