// The Kubernetes provider on a REAL control plane (kube-apiserver, kube-controller-manager,
// kube-scheduler, etcd; kube-sim's kubelet on the nodes — test/support/k8s-real-setup.ts), with
// the `hodei` ServiceAccount's kubeconfig: exactly the rights of deploy/kubernetes/rbac.yaml, so a
// missing verb fails here. The worker pod must pass the real Pod Security admission (restricted).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCluster } from '../support/k8s-real-context.js';
import { grantWorkerNamespace, kubeconfigWithoutPodCreate, kubectl } from '../support/k8s-real.js';
import { runCli, startServerProcess, startTestServer, waitFor, waitForJob, type ServerProcess } from './harness.js';
import { freshDatabase } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';

const ctx = realCluster('k8s-real e2e');
const WAIT = 90_000;
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
    let s: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => { s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: settings() } }); }, WAIT);
    afterAll(async () => { await s?.stop(); }, WAIT);

    it('an image that cannot be pulled fails with ErrImagePull/ImagePullBackOff', async () => {
      const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', image: 'registry.invalid/hodei/none:1', retries: 0 })).id, WAIT);
      expect(job.state).toBe('failed');
      expect(['ImagePullBackOff', 'ErrImagePull']).toContain(job.reason);
    }, WAIT);

    it('a pod no node can hold fails with Unschedulable (the real scheduler says so)', async () => {
      const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', resources: { cpu: '10000' }, retries: 0 })).id, WAIT);
      expect(job.state).toBe('failed');
      expect(job.reason).toBe('Unschedulable');
    }, WAIT);
  });

  it('a pod over quota fails with ExceededQuota (real ResourceQuota admission)', async () => {
    const ns = 'hodei-real-quota';
    grantWorkerNamespace(c, ns);
    kubectl(c, ['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { pods: '0' } } }) });
    const s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: settings({ namespace: ns }) } });
    try {
      const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, WAIT);
      expect(job.state).toBe('failed');
      expect(job.reason).toBe('ExceededQuota');
    } finally {
      await s.stop();
    }
  }, WAIT);

  it('credentials without `create pods` fail the job with Forbidden (real RBAC)', async () => {
    const ns = 'hodei-real-rbac';
    grantWorkerNamespace(c, ns);
    const s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: settings({ namespace: ns, kubeconfig: kubeconfigWithoutPodCreate(c, ns) }) } });
    try {
      const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, WAIT);
      expect(job.state).toBe('failed');
      expect(job.reason).toBe('Forbidden');
    } finally {
      await s.stop();
    }
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
