// Network policies: a default-deny egress plus an allow-list answers allowed/denied per
// destination; a denial becomes a Warning event (NetworkPolicyViolation) on the pod and is counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimClients } from '../../../test/support/kube-sim/clients.js';
import { admin, startSim, waitFor } from '../../../test/support/kube-sim/controllers.js';

let c: SimClients;
const ns = 'netpol';

beforeAll(async () => {
  c = await startSim();
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  await c.core.createNamespace({ body: { metadata: { name: 'hodei-system', labels: { role: 'control-plane' } } } });
  for (const [name, namespace, labels] of [['worker', ns, { app: 'hodei-worker' }], ['other', ns, { app: 'other' }], ['cp', 'hodei-system', { app: 'hodei' }]] as const) {
    await c.core.createNamespacedPod({ namespace, body: { metadata: { name, labels }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', ports: [{ name: 'api', containerPort: 7070 }] }] } } });
  }
  await c.networking.createNamespacedNetworkPolicy({ namespace: ns, body: { metadata: { name: 'default-deny-egress' }, spec: { podSelector: {}, policyTypes: ['Egress'] } } });
  await c.networking.createNamespacedNetworkPolicy({ namespace: ns, body: {
    metadata: { name: 'hodei-worker-egress' },
    spec: {
      podSelector: { matchLabels: { app: 'hodei-worker' } }, policyTypes: ['Egress'],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { role: 'control-plane' } }, podSelector: { matchLabels: { app: 'hodei' } } }], ports: [{ protocol: 'TCP', port: 'api' }] },
        { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
        { to: [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.9.0/24'] } }], ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] },
      ],
    },
  } });
  await waitFor('pods running', async () => (await c.core.listNamespacedPod({ namespace: 'hodei-system' })).items[0]?.status?.podIP);
});
afterAll(async () => { await c?.sim.stop(); });

const attempt = async (pod: string, host: string, port: number, protocol = 'TCP') =>
  (await admin(c, 'POST', '/__sim/connections', { namespace: ns, pod, direction: 'egress', host, port, protocol })).body as { allowed: boolean; policy?: string };

describe('network policies', () => {
  it('allows what the allow-list names and denies the rest', async () => {
    const cp = await c.core.readNamespacedPod({ namespace: 'hodei-system', name: 'cp' });
    const cpIp = cp.status?.podIP ?? '';
    expect(await attempt('worker', cpIp, 7070)).toEqual(expect.objectContaining({ allowed: true, policy: 'hodei-worker-egress' }));
    expect((await attempt('worker', cpIp, 22)).allowed).toBe(false);
    expect((await attempt('worker', '8.8.8.8', 53, 'UDP')).allowed).toBe(true);
    expect((await attempt('worker', '10.1.2.3', 8080)).allowed).toBe(true);
    expect((await attempt('worker', '10.1.2.3', 9000)).allowed).toBe(false);
    expect((await attempt('worker', '10.1.9.1', 8080)).allowed).toBe(false);
    const denied = await attempt('worker', '1.2.3.4', 443);
    expect(denied).toEqual(expect.objectContaining({ allowed: false, policy: 'default-deny-egress' }));
    // Pods selected only by the default deny reach nothing; other namespaces are unaffected.
    expect((await attempt('other', '8.8.8.8', 53, 'UDP')).allowed).toBe(false);
    const free = await admin(c, 'POST', '/__sim/connections', { namespace: 'hodei-system', pod: 'cp', direction: 'egress', host: '1.2.3.4', port: 443 });
    expect(free.body).toEqual(expect.objectContaining({ allowed: true }));
  });

  it('records a NetworkPolicyViolation Warning event on the pod and counts denials', async () => {
    await admin(c, 'DELETE', '/__sim/connections');
    await attempt('worker', '203.0.113.7', 443);
    const ev = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=worker,reason=NetworkPolicyViolation' });
    const mine = ev.items.filter((e) => e.message?.includes('203.0.113.7'));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.type).toBe('Warning');
    expect(mine[0]?.message).toBe('egress connection to 203.0.113.7:443/TCP denied by NetworkPolicy default-deny-egress, hodei-worker-egress');
    const stats = (await admin(c, 'GET', '/__sim/connections')).body as { denied: number; byPolicy: Record<string, number> };
    expect(stats.denied).toBe(1);
    expect(stats.byPolicy).toEqual({ [`${ns}/default-deny-egress`]: 1 });
  });

  it('answers 404 for an unknown pod and 400 for a bad body', async () => {
    expect((await admin(c, 'POST', '/__sim/connections', { namespace: ns, pod: 'missing', host: '1.1.1.1', port: 1 })).status).toBe(404);
    expect((await admin(c, 'POST', '/__sim/connections', { namespace: ns, pod: 'worker', host: '1.1.1.1', port: 70000 })).status).toBe(400);
  });
});
