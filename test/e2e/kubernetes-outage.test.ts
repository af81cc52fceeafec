// An API server outage (connections refused for 2 s) while jobs are being provisioned: the circuit
// breaker opens (calls fail fast instead of piling up), half-opens to probe, closes when the API is
// back; the informer reconnects; every job still succeeds (attempts failed during the outage are
// retried by the job's retry policy) and no worker ever gets two pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { KubernetesProvider } from '../../src/providers/kubernetes/kubernetes-provider.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, type TestServer } from './harness.js';

const NS = 'hodei-outage';
let sim: KubeSim;
let s: TestServer;
let provider: KubernetesProvider;
const breaker: string[] = [];

beforeAll(async () => {
  sim = await startTestSim();
  provider = new KubernetesProvider({
    settings: simSettings(sim, { namespace: NS, breakerThreshold: 5, breakerCooldownMs: 500, maxAttempts: 3 }), logger: silentLogger(),
    lookupWorker: async (id) => (s ? s.cp.store.getWorker(id) : null),
  });
  provider.k8sEvents.on('api.breaker', (e) => breaker.push(e.state));
  s = await startTestServer({ provider, config: { maxWorkers: 6 } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

describe('kubernetes provider during an API outage', () => {
  it('opens and closes the circuit, and every job still succeeds', async () => {
    const added: string[] = [];
    const off = sim.store.onChange('pods', (ev) => { if (ev.type === 'ADDED') added.push(ev.object.metadata.labels?.['hodei.io/worker-id'] ?? '?'); });
    sim.admin.setOutage({ mode: 'refuse', durationMs: 2000 });
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      s.client.submit({ command: 'sh', args: ['-c', `echo out-${i}`], retries: 5 }).then((j) => j.id)));
    await poll('all jobs to end', async () => {
      const c = await s.cp.store.countJobsByState();
      return c.succeeded + c.failed === ids.length;
    }, 120_000);
    off();
    expect((await s.cp.store.countJobsByState()).succeeded).toBe(ids.length);
    expect(breaker).toContain('open');
    expect(breaker).toContain('half-open');
    expect(breaker.at(-1)).toBe('closed');
    expect(new Set(added).size).toBe(added.length);
    expect(provider.informer.synced).toBe(true);
  }, 150_000);
});
