// The Kubernetes provider scenarios against a REAL cluster, talking to it only through its API:
//   HODEI_K8S_E2E=1 KUBECONFIG=~/.kube/config \
//   HODEI_WORKER_IMAGE=registry.example/hodei-worker:0.1.0 \   # an image with the agent, pullable by the cluster
//   HODEI_K8S_CONTROL_PLANE_URL=http://<address pods reach>:<port> HODEI_E2E_PORT=<port> \
//   npx vitest run test/e2e/kubernetes-real-cluster.test.ts
// Optional: HODEI_K8S_NAMESPACE (default hodei-e2e-<random>, deleted afterwards), HODEI_E2E_LIMITED_KUBECONFIG
// (credentials that may not create pods, for the RBAC scenario). Skipped, with a note, otherwise.
// (Also runs against `hodei kube-sim --kubeconfig-out f` with KUBECONFIG=f, which is how it is checked here.)
import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

const env = process.env;
const enabled = env.HODEI_K8S_E2E === '1' && !!env.KUBECONFIG;
if (!enabled) {
  console.log('kubernetes real-cluster e2e skipped: set HODEI_K8S_E2E=1 and KUBECONFIG (plus HODEI_WORKER_IMAGE and HODEI_K8S_CONTROL_PLANE_URL/HODEI_E2E_PORT) to run it');
}

const NS = env.HODEI_K8S_NAMESPACE ?? `hodei-e2e-${randomBytes(3).toString('hex')}`;
const WAIT = Number(env.HODEI_E2E_TIMEOUT_MS ?? 180_000);

describe.skipIf(!enabled)('kubernetes provider on a real cluster', () => {
  let s: TestServer;
  let core: CoreV1Api;
  const settings = (extra: Record<string, unknown> = {}) => ({
    kubeconfig: env.KUBECONFIG?.split(':')[0] ?? '', namespace: NS, pendingTimeoutMs: Number(env.HODEI_E2E_PENDING_TIMEOUT_MS ?? 60_000),
    reconcileIntervalMs: 2000, tenantNamespaces: true,
    ...(env.HODEI_WORKER_IMAGE ? { workerImage: env.HODEI_WORKER_IMAGE } : {}),
    ...(env.HODEI_K8S_CONTROL_PLANE_URL ? { controlPlaneUrl: env.HODEI_K8S_CONTROL_PLANE_URL } : {}),
    ...extra,
  });
  const ours = async (ns: string) => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=hodei' })).items;
  const secrets = async (ns: string) => (await core.listNamespacedSecret({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=hodei' })).items;

  beforeAll(async () => {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    core = kc.makeApiClient(CoreV1Api);
    s = await startTestServer({
      config: {
        provider: 'kubernetes', kubernetes: settings(), host: env.HODEI_E2E_HOST ?? '127.0.0.1',
        ...(env.HODEI_E2E_PORT ? { port: Number(env.HODEI_E2E_PORT) } : {}),
      },
    });
  }, WAIT);
  afterAll(async () => {
    await s?.stop();
    if (!env.HODEI_K8S_NAMESPACE) {
      for (const ns of [NS, `${NS}-quota`]) await core?.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  }, WAIT);

  it('hodei run: requests, restricted pod, output, exit code, cleanup', async () => {
    const r = await runCli(['run', '--cpu', '250m', '--memory', '128Mi', '--', 'sh', '-c', 'echo hi; exit 2'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token }, WAIT);
    expect(r.stdout).toContain('hi');
    expect(r.code).toBe(2);
    const ns = await core.readNamespace({ name: NS });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await waitFor('pod and Secret gone', async () => (await ours(NS)).length === 0 && (await secrets(NS)).length === 0, WAIT);
  }, WAIT);

  it('an image that cannot be pulled fails with ErrImagePull/ImagePullBackOff', async () => {
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', image: 'registry.invalid/hodei/none:1', retries: 0 })).id, WAIT);
    expect(job.state).toBe('failed');
    expect(['ImagePullBackOff', 'ErrImagePull']).toContain(job.reason);
  }, WAIT);

  it('an unschedulable pod fails with Unschedulable', async () => {
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', resources: { cpu: '10000' }, retries: 0 })).id, WAIT);
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('Unschedulable');
  }, WAIT);

  it('a pod over quota fails with ExceededQuota', async () => {
    const ns = `${NS}-quota`;
    await core.createNamespace({ body: { metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } })
      .catch((e: unknown) => { if (!(e instanceof ApiException && e.code === 409)) throw e; });
    await core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'compute' }, spec: { hard: { pods: '0' } } } })
      .catch((e: unknown) => { if (!(e instanceof ApiException && e.code === 409)) throw e; });
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', labels: { 'hodei.io/tenant': 'quota' }, retries: 0 })).id, WAIT);
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('ExceededQuota');
  }, WAIT);

  it.skipIf(!env.HODEI_E2E_LIMITED_KUBECONFIG)('credentials that may not create pods fail with Forbidden', async () => {
    const limited = await startTestServer({ config: { provider: 'kubernetes', kubernetes: settings({ kubeconfig: env.HODEI_E2E_LIMITED_KUBECONFIG, tenantNamespaces: false }) } });
    try {
      const job = await waitForJob(limited.client, (await limited.client.submit({ command: 'true', retries: 0 })).id, WAIT);
      expect(job.state).toBe('failed');
      expect(job.reason).toBe('Forbidden');
    } finally {
      await limited.stop();
    }
  }, WAIT);
});
