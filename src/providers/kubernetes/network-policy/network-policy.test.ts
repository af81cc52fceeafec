// Network policy through kube-sim: the two policies exist with the right spec after start (and a
// second apply changes nothing); a job asking for egress outside the allow-list fails with
// NetworkPolicyViolation before any pod exists (source "admission"); a denial the sim's network
// layer reports for a running worker pod is attributed to that worker and job (source "cni").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkingV1Api } from '@kubernetes/client-node';
import { startTestServer, waitForJob, type TestServer } from '../../../../test/e2e/harness.js';
import { ApiError } from '../../../client/client.js';
import { parseEgress } from '../../../cli/run.js';
import type { KubeSim } from '../../../kube-sim/index.js';
import { silentLogger } from '../../../observability/logger.js';
import { KubernetesProvider } from '../kubernetes-provider.js';
import { allowList, applyPolicy, buildPolicies, firstDisallowed, POLICY_NAMES } from './network-policy.js';
import type { NetworkPolicySettings } from './config.js';
import { captureExtras, simAdmin, type Captured } from '../../../../test/support/kubernetes/pools.js';
import { poll, simSettings, startTestSim } from '../../../../test/support/kubernetes/sim.js';

const NP: NetworkPolicySettings = { enabled: true, egressAllow: [{ cidr: '10.20.0.0/16', ports: [443] }, { cidr: '192.0.2.0/24' }] };

describe('egress allow-list (pure)', () => {
  it('admits only destinations inside an allowed rule (CIDR, port, protocol)', () => {
    const allowed = allowList(NP, { cidrs: ['127.0.0.1/32'], port: 7070 });
    expect(firstDisallowed([{ cidr: '10.20.1.0/24', port: 443 }], allowed)).toBeNull();
    expect(firstDisallowed([{ cidr: '192.0.2.7/32', port: 22, protocol: 'UDP' }], allowed)).toBeNull();
    expect(firstDisallowed([{ cidr: '127.0.0.1/32', port: 7070 }], allowed)).toBeNull();
    expect(firstDisallowed([{ cidr: '10.20.1.0/24' }], allowed)).toEqual({ cidr: '10.20.1.0/24' }); // any port: not allowed
    expect(firstDisallowed([{ cidr: '10.20.1.0/24', port: 443, protocol: 'UDP' }], allowed)).not.toBeNull();
    expect(firstDisallowed([{ cidr: '10.0.0.0/8', port: 443 }], allowed)).not.toBeNull();
  });
});

describe('hodei run --egress', () => {
  it('parses CIDR[:PORT][/udp], repeatable', () => {
    expect(parseEgress('10.0.0.0/8:443', parseEgress('fd00::/8'))).toEqual([{ cidr: 'fd00::/8' }, { cidr: '10.0.0.0/8', port: 443 }]);
    expect(parseEgress('192.0.2.1/32:53/udp')).toEqual([{ cidr: '192.0.2.1/32', port: 53, protocol: 'UDP' }]);
    expect(() => parseEgress('example.com:443')).toThrow(/CIDR/);
    expect(() => parseEgress('10.0.0.0/8:70000')).toThrow(/port/);
  });
});

describe('network policies in the cluster', () => {
  let sim: KubeSim;
  beforeAll(async () => { sim = await startTestSim(); });
  afterAll(async () => { await sim?.stop(); });

  it('applies default-deny ingress and the egress allow-list at start, idempotently', async () => {
    const ns = 'hodei-np-start';
    const p = new KubernetesProvider({ logger: silentLogger(), settings: simSettings(sim, { namespace: ns, controlPlaneUrl: 'http://127.0.0.1:7070', networkPolicy: NP }) });
    await p.start();
    try {
      const api = p.client.api(NetworkingV1Api);
      const deny = await api.readNamespacedNetworkPolicy({ namespace: ns, name: POLICY_NAMES.denyIngress });
      expect(deny.spec).toMatchObject({
        podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'hodei', 'hodei.io/provider-id': 'kubernetes' } },
        policyTypes: ['Ingress'],
      });
      expect(deny.spec?.ingress ?? []).toEqual([]);
      const egress = await api.readNamespacedNetworkPolicy({ namespace: ns, name: POLICY_NAMES.egress });
      expect(egress.spec?.policyTypes).toEqual(['Egress']);
      expect(egress.spec?.egress).toEqual([
        { to: [{ ipBlock: { cidr: '127.0.0.1/32' } }], ports: [{ port: 7070, protocol: 'TCP' }] },
        { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] },
        { to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      ]);
      const again = buildPolicies('kubernetes', ns, NP, { cidrs: ['127.0.0.1/32'], port: 7070 });
      for (const pol of again) expect(await applyPolicy(api, pol)).toBe('unchanged');
      expect(await p.extras.netpol?.check()).toEqual({ ok: true, message: `policies present in ${ns}` });
    } finally {
      await p.stop();
    }
  });
});

describe('admission and runtime denials through the control plane', () => {
  const NS = 'hodei-np-jobs';
  let sim: KubeSim;
  let s: TestServer;
  let cap: Captured;
  beforeAll(async () => {
    sim = await startTestSim();
    s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, networkPolicy: NP }) } });
    cap = captureExtras((s.cp.provider as KubernetesProvider).extras);
  });
  afterAll(async () => {
    cap?.off();
    await s?.stop();
    await sim?.stop();
  });

  const podsOf = (jobId: string) => sim.store.list('pods', NS).items.filter((p) => p.metadata.labels?.['hodei.io/job-id'] === jobId);

  it('refuses egress outside the allow-list before creating anything', async () => {
    const created: string[] = [];
    const off = sim.store.onChange('pods', (ev) => { if (ev.type === 'ADDED') created.push(ev.object.metadata.labels?.['hodei.io/job-id'] ?? ''); });
    const job = await s.client.submit({ command: 'true', egress: [{ cidr: '10.20.1.0/24', port: 443 }, { cidr: '203.0.113.0/24', port: 443 }] });
    const done = await waitForJob(s.client, job.id);
    off();
    expect(done.state).toBe('failed');
    expect(done.reason).toBe('NetworkPolicyViolation');
    expect(done.message).toContain('203.0.113.0/24:443/TCP');
    expect(created).not.toContain(job.id);
    expect(sim.store.list('secrets', NS).items.filter((x) => x.metadata.labels?.['hodei.io/job-id'] === job.id)).toHaveLength(0);
    expect(await cap.value('hodei_kubernetes_network_policy_violations_total', { source: 'admission' })).toBe(1);
    const ev = cap.events.find((e) => e.type === 'network_policy.violation');
    expect(ev?.opts).toMatchObject({ jobId: job.id, namespace: NS, details: { source: 'admission', destination: '203.0.113.0/24:443/TCP' } });
  });

  it('validates egress at the API edge', async () => {
    const err = await s.client.submit({ command: 'true', egress: [{ cidr: '10.0.0.300/8' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain('cidr');
  });

  it('admits allowed egress', async () => {
    const job = await s.client.submit({ command: 'true', egress: [{ cidr: '10.20.1.0/24', port: 443 }] });
    expect((await waitForJob(s.client, job.id)).state).toBe('succeeded');
  });

  it('attributes a denial reported by the network layer to the worker and job', async () => {
    const job = await s.client.submit({ command: 'sleep', args: ['30'] });
    const running = await poll('job running', async () => { const j = await s.client.getJob(job.id); return j.state === 'running' ? j : undefined; });
    const pod = podsOf(job.id)[0]?.metadata.name ?? '';
    expect(pod).not.toBe('');
    const report = (host: string) => simAdmin(sim, 'POST', '/__sim/connections', { namespace: NS, pod, direction: 'egress', host, port: 443, protocol: 'TCP' });
    expect((await report('10.20.5.5')).body).toMatchObject({ allowed: true });
    expect((await report('198.51.100.7')).body).toMatchObject({ allowed: false });
    const cni = () => cap.events.filter((e) => e.type === 'network_policy.violation' && (e.opts.details as { source?: string } | undefined)?.source === 'cni');
    await poll('cni violation recorded', () => cni().length === 1);
    expect(cni()[0]?.opts).toMatchObject({ workerId: running.workerId, jobId: job.id, namespace: NS, details: { destination: '198.51.100.7:443/TCP' } });
    // The same denial again: the sim bumps its Event's count; reported once more, not re-counted from 1.
    expect((await report('198.51.100.7')).body).toMatchObject({ allowed: false });
    await poll('second cni violation', async () => (await cap.value('hodei_kubernetes_network_policy_violations_total', { source: 'cni' })) === 2);
    expect(cni()).toHaveLength(2);
    await s.client.cancel(job.id);
  });
});
