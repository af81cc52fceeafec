// `hodei server --provider kubernetes` on the REAL control plane (test/support/k8s-real-setup.ts),
// killed with SIGKILL while jobs run in pods and restarted on the same store: the running pods are
// adopted (none recreated, none deleted, no job run twice) and their jobs finish; a pod carrying
// Hodei's labels whose worker the control plane never knew is deleted — all through the `hodei`
// ServiceAccount's rights of deploy/ (as test/e2e/kubernetes-restart.test.ts does it on kube-sim).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { isTerminal } from '../../src/domain/job.js';
import { RemoteApi } from '../../src/kube-sim/remote/api.js';
import { freshDatabase } from '../../src/store/testing/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import { realCluster } from '../support/k8s-real-context.js';
import { grantWorkerNamespace, kubectl } from '../support/k8s-real.js';
import { freePort, startServerProcess, waitFor, type ServerProcess } from './harness.js';

const ctx = realCluster('k8s-real restart');
const NS = 'hodei-real-restart';

describe.skipIf(!ctx)('kubernetes provider on a real control plane: hodei server killed and restarted', () => {
  const c = ctx as NonNullable<typeof ctx>;
  const created = new Set<string>();
  const abort = new AbortController();
  let watcher: RemoteApi;
  let second: ServerProcess | undefined;
  const pods = () => (JSON.parse(kubectl(c, ['get', 'pods', '-n', NS, '-o', 'json'])) as { items: { metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }[] }).items
    .filter((p) => !p.metadata.deletionTimestamp);

  beforeAll(() => {
    grantWorkerNamespace(c, NS);
    // Every pod the API server ever stored in the namespace, by uid.
    watcher = new RemoteApi(c.adminKubeconfig);
    void watcher.listWatch(`/api/v1/namespaces/${NS}/pods`, abort.signal, (type, o) => { if (type !== 'DELETED') created.add(o.metadata.uid); }, () => {});
  });
  afterAll(async () => {
    second?.proc.kill('SIGTERM');
    await second?.exited;
    abort.abort();
    watcher?.close();
  });

  it('adopts running pods so their jobs finish once, and deletes pods nobody owns', async () => {
    const db = await freshDatabase('pglite');
    const port = await freePort();
    const token = newToken();
    const env = {
      HODEI_API_TOKEN: token, HODEI_HEARTBEAT_INTERVAL_MS: '500', HODEI_WORKER_LOST_AFTER_MS: '20000',
      HODEI_RECONCILE_INTERVAL_MS: '500', HODEI_K8S_RECONCILE_INTERVAL_MS: '1000', HODEI_LOG_LEVEL: 'warn', HODEI_K8S_CREATE_NAMESPACE: 'false',
    };
    const args = ['--port', String(port), '--data-dir', db.location, '--max-workers', '10',
      '--provider', 'kubernetes', '--kubeconfig', c.kubeconfig, '--k8s-namespace', NS];
    const first = await startServerProcess(args, env);
    const client = new HodeiClient(first.url, token);
    const ids = await Promise.all(Array.from({ length: 3 }, (_, i) =>
      client.submit({ command: 'sh', args: ['-c', `sleep 4; echo done-${i}`], retries: 0 }).then((j) => j.id)));
    await waitFor('3 jobs running', async () => (await client.listJobs({ state: 'running', limit: 100 })).jobs.length === 3, 90_000);
    first.proc.kill('SIGKILL');
    await first.exited;

    // While the control plane is down, a pod appears that carries our labels but no known worker.
    kubectl(c, ['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'hodei-w-ghost', namespace: NS, annotations: { 'sim.hodei.io/run-seconds': '3600' },
        labels: { 'app.kubernetes.io/managed-by': 'hodei', 'hodei.io/provider-id': 'kubernetes', 'hodei.io/worker-id': 'w-ghost' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'busybox:1.36', command: ['sleep', '3600'], securityContext: {
        allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } }] },
    }) });
    await waitFor('ghost pod running', async () => pods().some((p) => p.metadata.name === 'hodei-w-ghost' && p.status?.phase === 'Running'), 60_000);

    second = await startServerProcess(args, env);
    await waitFor('ghost pod deleted', async () => !pods().some((p) => p.metadata.name === 'hodei-w-ghost'), 30_000);
    await waitFor('every job to end', async () => (await Promise.all(ids.map((id) => client.getJob(id)))).every((j) => isTerminal(j.state)), 90_000);
    const jobs = await Promise.all(ids.map((id) => client.getJob(id)));
    expect(jobs.map((j) => j.state)).toEqual(ids.map(() => 'succeeded'));
    for (const [i, j] of jobs.entries()) {
      expect(j.attempt).toBe(1);
      expect(await client.logsText(j.id)).toBe(`done-${i}\n`);
    }
    // Adopted, not recreated: the 3 job pods and the ghost are all the API server ever stored.
    expect(created.size).toBe(4);
    await waitFor('finished pods deleted', async () => pods().length === 0, 60_000);
  }, 300_000);
});
