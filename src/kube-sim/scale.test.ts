// Scale: 10,000 pods created through @kubernetes/client-node at 50 concurrent requests while two
// watches fan the events out; then paged lists over all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Watch } from '@kubernetes/client-node';
import { podBody, startWithClients, type SimClients } from '../../test/support/kube-sim/clients.js';

const PODS = 10_000;
const CONCURRENCY = 50;

let c: SimClients;
beforeAll(async () => { c = await startWithClients({ tls: false }); });
afterAll(async () => { await c?.sim.stop(); });

describe('scale', () => {
  it(`creates ${PODS} pods at ${CONCURRENCY} concurrent requests with watches open`, async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'load' } } });
    const added = [0, 0];
    const aborts = await Promise.all([0, 1].map((i) => new Watch(c.kc).watch('/api/v1/namespaces/load/pods', { resourceVersion: String(c.sim.store.resourceVersion) }, (type) => {
      if (type === 'ADDED') added[i] = (added[i] ?? 0) + 1;
    }, () => {})));

    const started = performance.now();
    let next = 0;
    const failures: unknown[] = [];
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        try {
          await c.core.createNamespacedPod({ namespace: 'load', body: podBody(`load-${i}`, { labels: { shard: String(i % 10) }, requests: { cpu: '10m', memory: '16Mi' } }) });
        } catch (e) { failures.push(e); }
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    console.log(`kube-sim: created ${PODS} pods in ${seconds.toFixed(1)} s (${Math.round(PODS / seconds)}/s, ${CONCURRENCY} concurrent)`);
    expect(failures).toEqual([]);

    for (let i = 0; i < 500 && (added[0] !== PODS || added[1] !== PODS); i++) await new Promise((r) => setTimeout(r, 20));
    expect(added).toEqual([PODS, PODS]);
    for (const a of aborts) a.abort();
    // Aborted client watches end their server-side streams (no leaked watchers).
    for (let i = 0; i < 200 && c.sim.admin.stats().watches.open > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.sim.admin.stats().watches.open).toBe(0);

    let total = 0, pages = 0;
    let cont: string | undefined;
    do {
      const page = await c.core.listNamespacedPod({ namespace: 'load', limit: 500, ...(cont ? { _continue: cont } : {}) });
      total += page.items.length;
      pages++;
      cont = page.metadata?._continue;
    } while (cont);
    expect(total).toBe(PODS);
    expect(pages).toBe(PODS / 500);
    const shard = await c.core.listNamespacedPod({ namespace: 'load', labelSelector: 'shard=3' });
    expect(shard.items).toHaveLength(PODS / 10);
  });
});
