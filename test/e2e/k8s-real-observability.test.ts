// The observability of the Kubernetes provider on the REAL control plane (test/support/k8s-real-setup.ts),
// as test/e2e/observability-kubernetes.test.ts does it on kube-sim: probes, metrics counted at the true
// moments and equal to what the API server saw (its Priority-and-Fairness counter of a FlowSchema
// that matches only this server's ServiceAccount), events of every outcome, the SLO report; and the
// provider's NetworkPolicies applied with deploy/'s rights, a denial recorded by the simulated node as
// a Warning event on the real API server and counted in hodei_kubernetes_network_policy_violations_total.
// A real Prometheus scrapes the server with the generated rules: it holds the same counts, and the
// WorkerCreationFailures and NetworkPolicyViolations alerts fire on this real-backend data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATHS, generateAll } from '../../monitoring/src/generate.js';
import { poll, startPrometheusFor, type TestPrometheus } from '../../monitoring/testing/prometheus.js';
import type { HodeiEvent } from '../../src/observability/events/types.js';
import type { SloReport } from '../../src/observability/slo-engine.js';
import { POLICY_NAMES } from '../../src/providers/kubernetes/network-policy.js';
import { realCluster } from '../support/k8s-real-context.js';
import { dispatched, flowSchemaFor, grantWorkerNamespace, kubectl, nodeAdmin, serviceAccountKubeconfig } from '../support/k8s-real.js';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

const ctx = realCluster('k8s-real observability');
const WAIT = 90_000;
const NS = 'hodei-real-obs';
const SA = 'hodei-obs';

/** Sum of a metric's samples whose label set contains every given `k="v"`. */
function sum(text: string, name: string, ...labels: string[]): number {
  return text.split('\n').filter((l) => l.startsWith(name + '{') && labels.every((x) => l.includes(x)))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe.skipIf(!ctx)('observability of the kubernetes provider on a real control plane', () => {
  const c = ctx as NonNullable<typeof ctx>;
  let s: TestServer;
  let prom: TestPrometheus;
  let before = 0;
  const promValue = async (expr: string): Promise<number> => Number((await prom.query(expr))[0]?.value[1] ?? NaN);
  const alert = (name: string, states: string[]) => poll(`${name} ${states.join(' or ')}`, async () =>
    (await prom.rules()).find((r) => r.name === name && states.includes(r.state ?? '')), 60_000);
  const metrics = async () => (await s.client.raw('/metrics')).text;

  beforeAll(async () => {
    grantWorkerNamespace(c, NS);
    const kubeconfig = serviceAccountKubeconfig(c, SA, NS);
    await flowSchemaFor(c, SA, kubeconfig);
    before = dispatched(c, SA);
    // A worker is lost after 30 s without heartbeat, not the harness's 4 s: 10 agents start at once
    // on the 2 cores this shares with the API server, the controllers and other test files.
    s = await startTestServer({ config: { provider: 'kubernetes', workerLostAfterMs: 30_000, kubernetes: {
      kubeconfig, namespace: NS, createNamespace: false, pendingTimeoutMs: 8000, reconcileIntervalMs: 500,
      networkPolicy: { enabled: true, egressAllow: [{ cidr: '10.20.0.0/16', ports: [443] }] },
    } } });
    prom = await startPrometheusFor(s.url, NS, generateAll(), PATHS);
  }, WAIT);
  afterAll(async () => { await prom?.stop(); await s?.stop(); }, WAIT);

  it('counts workers, failures and every API request exactly as the API server saw them; events; SLOs', async () => {
    const good = await Promise.all(Array.from({ length: 10 }, () => s.client.submit({ command: 'true', resources: { cpu: '100m', memory: '256Mi' } })));
    const bad = await Promise.all(Array.from({ length: 2 }, () => s.client.submit({ command: 'true', image: 'registry.invalid/nope:1', retries: 0 })));
    for (const j of good) {
      const done = await waitForJob(s.client, j.id, WAIT);
      expect(`${done.state} ${done.reason ?? ''} ${done.message ?? ''}`).toBe('succeeded Completed ');
    }
    for (const j of bad) expect((await waitForJob(s.client, j.id, WAIT)).state).toBe('failed');
    await waitFor('all pods gone', async () => (JSON.parse(kubectl(c, ['get', 'pods', '-n', NS, '-o', 'json'])) as { items: unknown[] }).items.length === 0, WAIT);

    const text = await waitFor('deletions counted', async () => { const t = await metrics(); return sum(t, 'hodei_kubernetes_workers_deleted_total') === 12 && t; }, WAIT);
    expect(sum(text, 'hodei_kubernetes_workers_created_total')).toBe(10);
    expect(sum(text, 'hodei_kubernetes_workers_failed_total', 'reason="ImagePullBackOff"') + sum(text, 'hodei_kubernetes_workers_failed_total', 'reason="ErrImagePull"')).toBe(2);
    expect(sum(text, 'hodei_kubernetes_pod_creation_duration_seconds_count')).toBe(10);
    expect(sum(text, 'hodei_kubernetes_pods_by_state', 'state="Running"')).toBe(0);
    // Pod creates: one per worker, each answered 201 by the real API server (it scheduled 12 pods).
    expect(sum(text, 'hodei_kubernetes_api_requests_total', 'verb="create"', 'code="201"', 'pods"')).toBe(12);
    const scheduled = (JSON.parse(kubectl(c, ['get', 'events', '-n', NS, '--field-selector', 'reason=Scheduled', '-o', 'json'])) as { items: unknown[] }).items;
    expect(scheduled).toHaveLength(12);
    expect(sum(text, 'hodei_kubernetes_api_request_errors_total')).toBe(0);
    // Every request: the provider's total equals what the API server dispatched for its ServiceAccount
    // (both count a watch when it opens; pods/log requests bypass flow control and are added).
    const sides = async (): Promise<[number, number]> => {
      const t = await metrics();
      return [sum(t, 'hodei_kubernetes_api_requests_total'), dispatched(c, SA) - before + sum(t, 'hodei_kubernetes_api_requests_total', 'pods/log"')];
    };
    await waitFor('every request counted on both sides', async () => { const [a, b] = await sides(); return a === b; }, 20_000)
      .catch(async (e: Error) => { throw new Error(`${e.message}: [metric, API server] ${JSON.stringify(await sides())}`); });

    const events = JSON.parse((await s.client.raw('/v1/events?limit=1000')).text) as { events: HodeiEvent[] };
    const of = (t: string): HodeiEvent[] => events.events.filter((e) => e.event_type === t);
    expect(of('worker.created')).toHaveLength(10);
    expect(of('worker.created')[0]).toMatchObject({ provider: 'kubernetes', namespace: NS, success: true, details: { cpu_request: '100m', memory_request: '256Mi' } });
    expect(of('worker.failed').map((e) => e.details.reason).every((r) => r === 'ImagePullBackOff' || r === 'ErrImagePull')).toBe(true);
    expect(of('worker.failed')).toHaveLength(2);
    expect(of('worker.deleted')).toHaveLength(12);

    // Prometheus scraped the same counts; 2 of 12 creations failed (> 5 %): the alert fires.
    const SEL = `{namespace="${NS}"}`;
    await poll('Prometheus holds the counts', async () => await promValue(`sum(hodei_kubernetes_workers_created_total${SEL})`) === 10
      && await promValue(`sum(hodei_kubernetes_workers_failed_total${SEL})`) === 2 && await promValue(`sum(hodei_kubernetes_workers_deleted_total${SEL})`) === 12, 30_000);
    expect((await alert('WorkerCreationFailures', ['firing'])).health).toBe('ok');

    const slo = JSON.parse((await s.client.raw('/v1/slo')).text) as SloReport;
    expect(slo.slis.workersCreatedLastHour).toBe(10);
    expect(slo.slis.workersFailedLastHour).toBe(2);
    expect(slo.violations.map((v) => v.message)).toContain('worker_creation_success_rate: 83.33% < target 99.00%');
    expect(slo.slis.currentApiErrorRate).toBe(0);
  }, 3 * WAIT);

  it('network policies: applied with deploy/ rights; a denial on the node becomes a counted violation', async () => {
    const violations = async (source: string) => sum(await metrics(), 'hodei_kubernetes_network_policy_violations_total', `source="${source}"`);
    const [admission0, cni0] = [await violations('admission'), await violations('cni')];
    const policies = (JSON.parse(kubectl(c, ['get', 'networkpolicies', '-n', NS, '-o', 'json'])) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name);
    expect(policies.sort()).toEqual([POLICY_NAMES.denyIngress, POLICY_NAMES.egress].sort());
    const refused = await waitForJob(s.client, (await s.client.submit({ command: 'true', egress: [{ cidr: '203.0.113.0/24', port: 443 }] })).id, WAIT);
    expect(refused.reason).toBe('NetworkPolicyViolation');

    const job = await s.client.submit({ command: 'sleep', args: ['60'] });
    await waitFor('job running', async () => (await s.client.getJob(job.id)).state === 'running', WAIT);
    const pod = (JSON.parse(kubectl(c, ['get', 'pods', '-n', NS, '-l', `hodei.io/job-id=${job.id}`, '-o', 'json'])) as { items: { metadata: { name: string } }[] }).items[0]?.metadata.name ?? '';
    const report = async (host: string) => (await nodeAdmin(c, 'POST', '/__sim/connections', { namespace: NS, pod, direction: 'egress', host, port: 443, protocol: 'TCP' })).body;
    expect(await report('10.20.5.5')).toMatchObject({ allowed: true });
    expect(await report('198.51.100.7')).toMatchObject({ allowed: false, policy: POLICY_NAMES.egress });
    const described = await waitFor('the Warning event on the real API server', async () => {
      const out = kubectl(c, ['describe', 'pod', pod, '-n', NS]);
      return /Warning\s+NetworkPolicyViolation/.test(out) && out;
    }, WAIT);
    expect(described).toContain(`egress connection to 198.51.100.7:443/TCP denied by NetworkPolicy ${POLICY_NAMES.egress}`);
    await waitFor('violations counted', async () => await violations('cni') === cni0 + 1 && await violations('admission') === admission0 + 1, WAIT);
    expect((await alert('NetworkPolicyViolations', ['pending', 'firing'])).health).toBe('ok');
    await s.client.cancel(job.id);
  }, 3 * WAIT);

  // Last: the policies are applied with the first worker's callback URL (no controlPlaneUrl set).
  it('is ready, every Kubernetes check healthy against the real API server with deploy/ rights', async () => {
    const names = ['kubernetes-api', 'kubernetes-namespace', 'kubernetes-rbac', 'kubernetes-quota', 'kubernetes-capacity', 'kubernetes-network-policy'];
    let last = '';
    await waitFor('every check healthy', async () => {
      const r = await s.client.raw('/readyz?verbose');
      last = r.text;
      return r.status === 200 && names.every((n) => r.text.includes(`[+]${n} healthy`));
    }, 30_000).catch((e: Error) => { throw new Error(`${e.message}:\n${last}`); });
    expect(last).toContain('readyz check passed');
    expect(last).not.toContain('Degraded');
  });
});
