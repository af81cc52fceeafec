// `hodei server --provider kubernetes --kubeconfig <sim>` killed with SIGKILL while jobs run in pods,
// then restarted on the same store: the running pods are adopted (not recreated, not deleted) and
// their jobs finish; a pod of ours whose worker the control plane never knew is deleted at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { isTerminal } from '../../src/domain/job.js';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { freshDatabase } from '../support/store/fresh.js';
import { startTestSim } from '../support/kubernetes/sim.js';
import { newToken } from '../../src/util/tokens.js';
import { freePort, startServerProcess, waitFor, type ServerProcess } from './harness.js';

const NS = 'hodei-restart';
let sim: KubeSim;
let second: ServerProcess | undefined;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  second?.proc.kill('SIGTERM');
  await second?.exited;
  await sim?.stop();
});

const managedPods = (): Array<{ metadata: { name: string; labels?: Record<string, string> } }> =>
  sim.store.list('pods', NS).items.filter((p) => !p.metadata.deletionTimestamp);

describe('kubernetes provider: control plane killed and restarted', () => {
  it('adopts running pods so their jobs finish, and deletes pods nobody owns', async () => {
    const db = await freshDatabase('pglite');
    const port = await freePort();
    const token = newToken();
    const env = {
      HODEI_API_TOKEN: token, HODEI_HEARTBEAT_INTERVAL_MS: '500', HODEI_WORKER_LOST_AFTER_MS: '20000',
      HODEI_RECONCILE_INTERVAL_MS: '500', HODEI_K8S_RECONCILE_INTERVAL_MS: '1000', HODEI_LOG_LEVEL: 'warn',
    };
    const args = ['--port', String(port), '--data-dir', db.location, '--max-workers', '10',
      '--provider', 'kubernetes', '--kubeconfig', sim.kubeconfig, '--k8s-namespace', NS];
    let created = 0;
    const off = sim.store.onChange('pods', (ev) => { if (ev.type === 'ADDED') created++; });

    const first = await startServerProcess(args, env);
    const client = new HodeiClient(first.url, token);
    const ids = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      client.submit({ command: 'sh', args: ['-c', `sleep 3; echo done-${i}`], retries: 0 }).then((j) => j.id)));
    await waitFor('5 jobs running', async () => (await client.listJobs({ state: 'running', limit: 100 })).jobs.length === 5, 60_000);
    first.proc.kill('SIGKILL');
    await first.exited;

    // While the control plane is down, a pod appears that carries our labels but no known worker.
    sim.admin.apply('pods', {
      metadata: { name: 'hodei-w-ghost', namespace: NS, labels: {
        'app.kubernetes.io/managed-by': 'hodei', 'hodei.io/provider-id': 'kubernetes', 'hodei.io/worker-id': 'w-ghost' },
      annotations: { 'sim.hodei.io/run-seconds': '3600' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    });
    await waitFor('ghost pod running', async () => (sim.store.get('pods', NS, 'hodei-w-ghost')?.status as { phase?: string } | undefined)?.phase === 'Running');
    expect(managedPods()).toHaveLength(6);

    second = await startServerProcess(args, env);
    // The provider reconciles at start: the ghost goes without waiting a period.
    await waitFor('ghost pod deleted', async () => !sim.store.get('pods', NS, 'hodei-w-ghost'), 15_000);
    await waitFor('every job to end', async () => (await Promise.all(ids.map((id) => client.getJob(id)))).every((j) => isTerminal(j.state)), 60_000);
    const jobs = await Promise.all(ids.map((id) => client.getJob(id)));
    expect(jobs.map((j) => j.state)).toEqual(ids.map(() => 'succeeded'));
    for (const [i, j] of jobs.entries()) {
      expect(j.attempt).toBe(1);
      expect(await client.logsText(j.id)).toBe(`done-${i}\n`);
    }
    // Adopted, not recreated: 5 job pods + the ghost were ever created.
    expect(created).toBe(6);
    await waitFor('finished pods deleted (retention never)', async () => managedPods().length === 0, 30_000);
    off();
  }, 180_000);
});
