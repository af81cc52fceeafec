// The Kubernetes provider on a REAL control plane (kube-apiserver, kube-controller-manager,
// kube-scheduler, etcd; kube-sim's kubelet on the nodes — test/support/k8s-real-setup.ts), with
// the `hodei` ServiceAccount's kubeconfig: exactly the rights of deploy/kubernetes/rbac.yaml, so a
// missing verb fails here. The worker pod must pass the real Pod Security admission (restricted).
//
// The same scenarios also run against an EXTERNAL cluster, talking to it only through its API:
//   HODEI_K8S_E2E=1 KUBECONFIG=~/.kube/config \
//   HODEI_WORKER_IMAGE=registry.example/hodei-worker:0.1.0 \   # an image with the agent, pullable by the cluster
//   HODEI_K8S_CONTROL_PLANE_URL=http://<address pods reach>:<port> HODEI_E2E_PORT=<port> \
//   npx vitest run test/e2e/k8s-real.test.ts
// Optional: HODEI_K8S_NAMESPACE (default hodei-e2e-<random>, deleted afterwards), HODEI_E2E_LIMITED_KUBECONFIG
// (credentials that may not create pods, for the RBAC scenario). Skipped, with a note, otherwise.
// (Also runs against `hodei kube-sim --kubeconfig-out f` with KUBECONFIG=f, which is how it is checked here.)
import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCluster } from '../support/k8s-real-context.js';
import { grantWorkerNamespace, kubeconfigWithoutPodCreate, kubectl } from '../support/k8s-real.js';
import { runCli, startServerProcess, startTestServer, waitFor, waitForJob, type ServerProcess, type TestServer } from './harness.js';
import { freshDatabase } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';

const ctx = realCluster('k8s-real e2e');
const WAIT = 90_000;

/** A control plane of its own with these provider settings: its one job fails for `reason`. */
async function expectJobFails(kubernetes: Record<string, unknown>, reason: string, wait: number): Promise<void> {
  const s = await startTestServer({ config: { provider: 'kubernetes', kubernetes } });
  try {
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, wait);
    expect(job.state).toBe('failed');
    expect(job.reason).toBe(reason);
  } finally {
    await s.stop();
  }
}

/** What a real cluster reports for a pod that cannot start: on this run's control plane and on an external cluster. */
function podFailures(server: () => TestServer, wait: number): void {
  it('an image that cannot be pulled fails with ErrImagePull/ImagePullBackOff', async () => {
    const s = server();
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', image: 'registry.invalid/hodei/none:1', retries: 0 })).id, wait);
    expect(job.state).toBe('failed');
    expect(['ImagePullBackOff', 'ErrImagePull']).toContain(job.reason);
  }, wait);

  it('a pod no node can hold fails with Unschedulable (the scheduler says so)', async () => {
    const s = server();
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', resources: { cpu: '10000' }, retries: 0 })).id, wait);
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('Unschedulable');
  }, wait);
}
const NS = 'hodei-jobs-workers';
const settings = (extra: Record<string, unknown> = {}) => ({
  kubeconfig: ctx?.kubeconfig ?? '', namespace: NS, createNamespace: false, pendingTimeoutMs: 8000, reconcileIntervalMs: 500, ...extra,
});

describe.skipIf(!ctx)('kubernetes provider on a real control plane', () => {
  const c = ctx as NonNullable<typeof ctx>;
  const json = <T>(args: string[]): T => JSON.parse(kubectl(c, [...args, '-o', 'json'])) as T;
  const ours = (ns: string) => json<{ items: unknown[] }>(['get', 'pods,secrets', '-n', ns, '-l', 'app.kubernetes.io/managed-by=hodei']).items;

  it('kubectl version reports the real server', () => {
    const v = json<{ serverVersion: { gitVersion: string } }>(['version']);
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.37\.\d+$/);
  });

  describe('hodei server --provider kubernetes', () => {
    let server: ServerProcess;
    const token = newToken();
    beforeAll(async () => {
      const db = await freshDatabase('pglite');
      server = await startServerProcess(['--port', '0', '--data-dir', db.location, '--provider', 'kubernetes', '--kubeconfig', c.kubeconfig, '--k8s-namespace', NS],
        { HODEI_API_TOKEN: token, HODEI_LOG_LEVEL: 'warn', HODEI_K8S_RECONCILE_INTERVAL_MS: '500', HODEI_K8S_CREATE_NAMESPACE: 'false' });
    }, WAIT);
    afterAll(async () => { server?.proc.kill('SIGTERM'); await server?.exited; });

    it('hodei run: a restricted pod admitted by Pod Security, output, exit 2, cleanup', async () => {
      const r = await runCli(['run', '--cpu', '250m', '--memory', '128Mi', '--', 'sh', '-c', 'echo hi; exit 2'], { HODEI_URL: server.url, HODEI_API_TOKEN: token }, WAIT);
      expect(r.stderr).not.toMatch(/forbidden/i);
      expect(r.stdout).toContain('hi');
      expect(r.code).toBe(2);
      // The scheduler bound it to one of our nodes and the kubelet events reached the API server.
      const events = json<{ items: { reason: string; source?: { component?: string }; reportingComponent?: string }[] }>(['get', 'events', '-n', NS]).items;
      // The scheduler writes events.k8s.io/v1 Events: in the core/v1 view the component is reportingComponent.
      expect(events.some((e) => e.reason === 'Scheduled' && e.reportingComponent === 'default-scheduler')).toBe(true);
      expect(events.some((e) => e.reason === 'Started' && e.source?.component === 'kubelet')).toBe(true);
      // Hodei's own lifecycle events (events.k8s.io/v1) pass the real validation too.
      await waitFor('hodei events on the worker pod', async () => json<{ items: { reportingController?: string }[] }>(['get', 'events.events.k8s.io', '-n', NS]).items
        .some((e) => e.reportingController?.includes('hodei')), WAIT);
      await waitFor('pod and Secret gone', async () => ours(NS).length === 0, WAIT);
    }, WAIT);
  });

  describe('failures a real cluster reports', () => {
    let s: TestServer;
    beforeAll(async () => { s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: settings() } }); }, WAIT);
    afterAll(async () => { await s?.stop(); }, WAIT);

    podFailures(() => s, WAIT);
  });

  it('a pod over quota fails with ExceededQuota (real ResourceQuota admission)', async () => {
    const ns = 'hodei-real-quota';
    grantWorkerNamespace(c, ns);
    kubectl(c, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { pods: '0' } } }) });
    await expectJobFails(settings({ namespace: ns }), 'ExceededQuota', WAIT);
  }, WAIT);

  it('credentials without `create pods` fail the job with Forbidden (real RBAC)', async () => {
    const ns = 'hodei-real-rbac';
    grantWorkerNamespace(c, ns);
    await expectJobFails(settings({ namespace: ns, kubeconfig: kubeconfigWithoutPodCreate(c, ns) }), 'Forbidden', WAIT);
  }, WAIT);

  it('kubectl describe pod shows the kubelet and scheduler events; kubectl logs reaches the node', async () => {
    const ns = 'hodei-real-kubectl';
    grantWorkerNamespace(c, ns);
    const restricted = {
      securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    };
    const pod = (name: string, image: string, command: string[]) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image, command, ...restricted }] },
    });
    // The agent image runs the real `hodei` CLI on the simulated node.
    kubectl(c, ['apply', '-f', '-'], { input: [pod('version', 'hodei-worker:dev', ['hodei', '--version']), pod('nopull', 'registry.invalid/none:1', ['true'])].map((p) => JSON.stringify(p)).join('\n') });
    await waitFor('version pod Succeeded', async () => json<{ status: { phase: string } }>(['get', 'pod', 'version', '-n', ns]).status.phase === 'Succeeded', WAIT);
    expect(kubectl(c, ['logs', 'version', '-n', ns]).trim()).toMatch(/\d+\.\d+\.\d+/);
    const described = await waitFor('pull failure events', async () => {
      const out = kubectl(c, ['describe', 'pod', 'nopull', '-n', ns]);
      return /Failed to pull image "registry\.invalid\/none:1"/.test(out) && out;
    }, WAIT);
    expect(described).toMatch(/Successfully assigned hodei-real-kubectl\/nopull to kube-sim-node-\d/);
    expect(described).toMatch(/ImagePullBackOff|ErrImagePull/);
    // A privileged pod is refused by the namespace's restricted Pod Security level.
    expect(() => kubectl(c, ['apply', '-f', '-'], { input: JSON.stringify(pod('bad', 'busybox', ['true'])).replace(/"allowPrivilegeEscalation":false/, '"allowPrivilegeEscalation":true') }))
      .toThrow(/violates PodSecurity "restricted:latest"/);
  }, WAIT);
});

const env = process.env;
const external = env.HODEI_K8S_E2E === '1' && !!env.KUBECONFIG;
if (!external) {
  console.log('k8s-real e2e on an external cluster skipped: set HODEI_K8S_E2E=1 and KUBECONFIG (plus HODEI_WORKER_IMAGE and HODEI_K8S_CONTROL_PLANE_URL/HODEI_E2E_PORT) to run it');
}

describe.skipIf(!external)('kubernetes provider on an external cluster (HODEI_K8S_E2E=1)', () => {
  const NS_EXT = env.HODEI_K8S_NAMESPACE ?? `hodei-e2e-${randomBytes(3).toString('hex')}`;
  const WAIT_EXT = Number(env.HODEI_E2E_TIMEOUT_MS ?? 180_000);
  let s: TestServer;
  let core: CoreV1Api;
  const extSettings = (extra: Record<string, unknown> = {}) => ({
    kubeconfig: env.KUBECONFIG?.split(':')[0] ?? '', namespace: NS_EXT, pendingTimeoutMs: Number(env.HODEI_E2E_PENDING_TIMEOUT_MS ?? 60_000),
    reconcileIntervalMs: 2000, tenantNamespaces: true,
    ...(env.HODEI_WORKER_IMAGE ? { workerImage: env.HODEI_WORKER_IMAGE } : {}),
    ...(env.HODEI_K8S_CONTROL_PLANE_URL ? { controlPlaneUrl: env.HODEI_K8S_CONTROL_PLANE_URL } : {}),
    ...extra,
  });
  const ourPods = async (ns: string) => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=hodei' })).items;
  const ourSecrets = async (ns: string) => (await core.listNamespacedSecret({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=hodei' })).items;

  beforeAll(async () => {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    core = kc.makeApiClient(CoreV1Api);
    s = await startTestServer({
      config: {
        provider: 'kubernetes', kubernetes: extSettings(), host: env.HODEI_E2E_HOST ?? '127.0.0.1',
        ...(env.HODEI_E2E_PORT ? { port: Number(env.HODEI_E2E_PORT) } : {}),
      },
    });
  }, WAIT_EXT);
  afterAll(async () => {
    await s?.stop();
    if (!env.HODEI_K8S_NAMESPACE) {
      for (const ns of [NS_EXT, `${NS_EXT}-quota`]) await core?.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  }, WAIT_EXT);

  it('hodei run: requests, restricted namespace it created, output, exit code, cleanup', async () => {
    const r = await runCli(['run', '--cpu', '250m', '--memory', '128Mi', '--', 'sh', '-c', 'echo hi; exit 2'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token }, WAIT_EXT);
    expect(r.stdout).toContain('hi');
    expect(r.code).toBe(2);
    const ns = await core.readNamespace({ name: NS_EXT });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await waitFor('pod and Secret gone', async () => (await ourPods(NS_EXT)).length === 0 && (await ourSecrets(NS_EXT)).length === 0, WAIT_EXT);
  }, WAIT_EXT);

  podFailures(() => s, WAIT_EXT);

  it('a pod over quota in a tenant namespace fails with ExceededQuota', async () => {
    const ns = `${NS_EXT}-quota`;
    await core.createNamespace({ body: { metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } })
      .catch((e: unknown) => { if (!(e instanceof ApiException && e.code === 409)) throw e; });
    await core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'compute' }, spec: { hard: { pods: '0' } } } })
      .catch((e: unknown) => { if (!(e instanceof ApiException && e.code === 409)) throw e; });
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', labels: { 'hodei.io/tenant': 'quota' }, retries: 0 })).id, WAIT_EXT);
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('ExceededQuota');
  }, WAIT_EXT);

  it.skipIf(!env.HODEI_E2E_LIMITED_KUBECONFIG)('credentials that may not create pods fail with Forbidden', async () => {
    await expectJobFails(extSettings({ kubeconfig: env.HODEI_E2E_LIMITED_KUBECONFIG, tenantNamespaces: false }), 'Forbidden', WAIT_EXT);
  }, WAIT_EXT);
});
