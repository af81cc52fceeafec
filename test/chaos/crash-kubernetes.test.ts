// Control-plane SIGKILL rounds with the Kubernetes provider on kube-sim (see rounds.ts): nothing
// lost, run twice or stuck, and no pod or token Secret left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { startTestSim } from '../support/kubernetes/sim.js';
import { freshDatabase } from '../support/store/fresh.js';
import { crashRound, JOBS, ROUNDS } from './rounds.js';

let sim: KubeSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim?.stop();
});

/**
 * Pods and Secrets of ours still there. Polled for longer than the reconciler's 30 s grace for a
 * just-ended worker (src/scheduler/reconciler.ts), which may be what still holds a pod.
 */
async function leftovers(ns: string): Promise<number> {
  const count = (): number => ['pods', 'secrets'].reduce((a, r) =>
    a + sim.store.list(r, ns).items.filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'hodei').length, 0);
  const deadline = Date.now() + 45_000;
  while (count() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return count();
}

describe('control plane SIGKILL rounds, kubernetes provider (kube-sim)', () => {
  it(`${ROUNDS} round(s) of ${JOBS} jobs: none lost, run twice, stuck; no pod or Secret orphaned`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const db = await freshDatabase('pglite');
      const ns = `hodei-chaos-${round}`;
      const f = await crashRound({
        name: 'kubernetes/pglite', env: { HODEI_K8S_RECONCILE_INTERVAL_MS: '1000' },
        args: ['--data-dir', db.location, '--provider', 'kubernetes', '--kubeconfig', sim.kubeconfig, '--k8s-namespace', ns],
        orphans: () => leftovers(ns),
      }, round);
      expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, orphans: 0 });
    }
  }, 60_000 + ROUNDS * (90_000 + JOBS * 1000));
});
