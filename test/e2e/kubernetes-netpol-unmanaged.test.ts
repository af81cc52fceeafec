// Network-policy violations are watched whether or not Hodei manages the policies: with policy
// management off (the default), the cluster operator's own deny-egress NetworkPolicy refusing a
// worker pod's connection (kube-sim records a NetworkPolicyViolation Warning Event, like a CNI's
// flow-log exporter) is counted, recorded naming the policy and the peer, and named by diagnose.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { clientsFor } from '../support/kube-sim/clients.js';
import { simAdmin } from '../support/kubernetes/pools.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { runCli, startTestServer, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;
const NS = 'hodei-np-unmanaged';

beforeAll(async () => {
  sim = await startTestSim();
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS }) } });
  await clientsFor(sim.kubeconfig).networking.createNamespacedNetworkPolicy({ namespace: NS, body: { metadata: { name: 'operator-deny-egress' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] } } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

it('a denial under the operator\'s own policy: metric +1, network_policy.violation naming policy and peer, hodei diagnose names it', async () => {
  const job = await s.client.submit({ command: 'sleep', args: ['30'] });
  await poll('job running', async () => (await s.client.getJob(job.id)).state === 'running');
  const pod = sim.store.list('pods', NS).items.find((p) => p.metadata.labels?.['hodei.io/job-id'] === job.id)?.metadata.name ?? '';
  const denied = await simAdmin(sim, 'POST', '/__sim/connections', { namespace: NS, pod, direction: 'egress', host: '198.51.100.7', port: 443, protocol: 'TCP' });
  expect(denied.body).toMatchObject({ allowed: false });
  await poll('the violation counted', async () => /hodei_kubernetes_network_policy_violations_total\{[^\n]*source="cni"[^\n]*\} 1/.test((await s.client.raw('/metrics')).text), 20_000);
  const events = JSON.parse((await s.client.raw('/v1/events?type=network_policy.violation')).text) as { events: { details: Record<string, unknown> }[] };
  expect(events.events[0]?.details).toMatchObject({ source: 'cni', policy: 'operator-deny-egress', destination: '198.51.100.7:443/TCP', job_id: job.id });
  const diag = await runCli(['diagnose'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
  expect(diag.stdout).toContain('Network policy violation (1): NetworkPolicy operator-deny-egress denied a worker pod\'s connection to 198.51.100.7:443/TCP');
  await s.client.cancel(job.id);
});
