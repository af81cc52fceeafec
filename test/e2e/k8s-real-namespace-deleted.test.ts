// A worker namespace deleted under a running control plane, on the REAL control plane
// (test/support/k8s-real-setup.ts): `kubectl delete namespace` while a job runs in it; the real
// namespace controller terminates its pods and finalizes it, the provider recreates it (Pod
// Security labels), the interrupted job is retried and succeeds, later jobs run, and a worker
// pool's Deployment, HPA and Secret are deployed again. (kube-sim: kubernetes-namespace-deleted.)
//
// The ServiceAccount holds its worker-namespace rights through a ClusterRoleBinding here: deploy/'s
// namespaced Role and RoleBinding are deleted with the namespace, and nobody can give them back but
// the operator (docs/kubernetes-provider.md says so; the second test shows readiness naming it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCluster } from '../support/k8s-real-context.js';
import { docs, grantWorkerNamespace, kubectl, serviceAccountToken } from '../support/k8s-real.js';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

const ctx = realCluster('k8s-real namespace deleted');
const NS = 'hodei-real-nsdel';
const SA = 'hodei-nsdel';

/** ServiceAccount `SA` with deploy/'s Role rules in every namespace (ClusterRoleBinding) and its ClusterRole. */
function clusterWideServiceAccount(c: NonNullable<typeof ctx>): string {
  const role = docs().find((d) => d.kind === 'Role');
  const subjects = [{ kind: 'ServiceAccount', name: SA, namespace: 'hodei-jobs' }];
  kubectl(c, ['apply', '-f', '-'], { input: [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SA, namespace: 'hodei-jobs' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${SA}-workers` }, rules: role?.rules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${SA}-workers` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${SA}-workers` }, subjects },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: SA }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hodei-provider' }, subjects },
  ].map((o) => JSON.stringify(o)).join('\n') });
  return serviceAccountToken(c, SA);
}

describe.skipIf(!ctx)('a worker namespace deleted on the real control plane', () => {
  const c = ctx as NonNullable<typeof ctx>;
  let s: TestServer;
  const ns = (name = NS): { metadata: { uid: string; labels?: Record<string, string>; deletionTimestamp?: string } } | undefined => {
    try {
      return JSON.parse(kubectl(c, ['get', 'namespace', name, '-o', 'json'])) as ReturnType<typeof ns>;
    } catch {
      return undefined; // NotFound
    }
  };
  const count = (kind: string): number => (JSON.parse(kubectl(c, ['get', kind, '-n', NS, '-o', 'json'])) as { items: unknown[] }).items.length;

  beforeAll(async () => {
    s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: {
      kubeconfig: clusterWideServiceAccount(c), namespace: NS, reconcileIntervalMs: 1000,
    } } });
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
    kubectl(c, ['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
  });

  it('is finalized by the namespace controller, recreated by the provider; the job retried, pools redeployed, jobs run again', async () => {
    const first = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, 90_000);
    expect(first, first.message ?? '').toMatchObject({ state: 'succeeded' });
    const uid = ns()?.metadata.uid;
    const pool = await fetch(`${s.url}/v1/pools`, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'warm', min: 1, max: 2, target: { type: 'queue', averageValue: 5 }, resources: { cpu: '100m', memory: '256Mi' } }) });
    expect(pool.status, await pool.text()).toBe(201);
    // The first attempt outlives the deletion (its pod is terminated with the namespace); the retry is quick.
    const running = await s.client.submit({ command: 'sh', args: ['-c', 'if [ "$HODEI_JOB_ATTEMPT" = 1 ]; then sleep 120; fi'], retries: 1 });
    await waitFor('job running', async () => (await s.client.getJob(running.id)).state === 'running', 90_000);

    kubectl(c, ['delete', 'namespace', NS, '--wait=false']);
    const back = await waitFor('namespace finalized and recreated', async () => {
      const n = ns();
      return n && n.metadata.uid !== uid && !n.metadata.deletionTimestamp ? n : undefined;
    }, 120_000);
    expect(back.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');

    const retried = await waitForJob(s.client, running.id, 120_000);
    expect(retried, retried.message ?? '').toMatchObject({ state: 'succeeded', attempt: 2 });
    const after = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, 90_000);
    expect(after, after.message ?? '').toMatchObject({ state: 'succeeded' });
    await waitFor('the pool deployed again', async () => count('deployments') === 1 && count('horizontalpodautoscalers') === 1, 60_000);
    const events = JSON.parse((await s.client.raw('/v1/events?type=namespace.created')).text) as { events: { namespace: string; details: Record<string, unknown> }[] };
    expect(events.events.filter((e) => e.details.reason === 'Recreated').map((e) => e.namespace)).toEqual([NS]);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
  }, 400_000);

  it('with deploy/\'s namespaced Role: recreated, then readiness names the missing rights until the operator applies them again', async () => {
    const NS2 = 'hodei-real-nsdel-role';
    grantWorkerNamespace(c, NS2);
    const s2 = await startTestServer({ config: { provider: 'kubernetes', kubernetes: { kubeconfig: c.kubeconfig, namespace: NS2, reconcileIntervalMs: 1000 } } });
    try {
      const ready = async (): Promise<{ status: number; text: string }> => {
        const r = await fetch(`${s2.url}/readyz?verbose`);
        return { status: r.status, text: await r.text() };
      };
      await waitFor('ready', async () => (await ready()).status === 200, 60_000);
      const uid2 = ns(NS2)?.metadata.uid;
      kubectl(c, ['delete', 'namespace', NS2, '--wait=false']);
      await waitFor('recreated by the provider', async () => {
        const n = ns(NS2);
        return n && n.metadata.uid !== uid2 && !n.metadata.deletionTimestamp;
      }, 120_000);
      const named = await waitFor('readiness names the missing rights', async () => {
        const r = await ready();
        return r.status === 503 && /RBAC denies .*create pods/.test(r.text) ? r.text : undefined;
      }, 120_000);
      expect(named).toContain(NS2);
      grantWorkerNamespace(c, NS2); // what the operator (or GitOps) does: deploy/kubernetes/rbac.yaml applied again
      await waitFor('ready again', async () => (await ready()).status === 200, 30_000);
      const job = await waitForJob(s2.client, (await s2.client.submit({ command: 'true', retries: 0 })).id, 90_000);
      expect(job, job.message ?? '').toMatchObject({ state: 'succeeded' });
    } finally {
      await s2.stop();
      kubectl(c, ['delete', 'namespace', NS2, '--wait=false', '--ignore-not-found']);
    }
  }, 300_000);
});
