// Failures the cluster reports end the job failed with the matching reason — never a hang: an image
// that cannot be pulled, a pod that cannot be scheduled, a pod over quota, an RBAC denial.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;
const BASE = 'hodei-fail';

beforeAll(async () => {
  sim = await startTestSim();
  // A tenant namespace whose quota allows no pods at all.
  sim.admin.apply('namespaces', { metadata: { name: `${BASE}-quota`, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
  sim.admin.apply('resourcequotas', { metadata: { name: 'compute', namespace: `${BASE}-quota` }, spec: { hard: { pods: '0' } } });
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: BASE, tenantNamespaces: true }) } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

async function failedWith(job: Parameters<TestServer['client']['submit']>[0]): Promise<{ reason: string | null; message: string | null; state: string; signal: string | null }> {
  const submitted = await s.client.submit({ retries: 0, ...job });
  return waitForJob(s.client, submitted.id, 30_000);
}

describe('kubernetes provider: failure reasons', () => {
  it('an image that cannot be pulled fails the job with ErrImagePull/ImagePullBackOff', async () => {
    const job = await failedWith({ command: 'true', image: 'registry.invalid/no-such-image:1' });
    expect(job.state).toBe('failed');
    expect(['ImagePullBackOff', 'ErrImagePull'], JSON.stringify(job)).toContain(job.reason);
    expect(job.message).toMatch(/pending for \d+ s/);
  });

  it('a pod that cannot be scheduled fails the job with Unschedulable', async () => {
    const job = await failedWith({ command: 'true', resources: { cpu: '64' } });
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('Unschedulable');
  });

  it('a pod over quota fails the job with ExceededQuota', async () => {
    const job = await failedWith({ command: 'true', labels: { 'hodei.io/tenant': 'quota' } });
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('ExceededQuota');
    expect(job.message).toContain('exceeded quota');
  });

  it('a job over its memory limit fails with OOMKilled', async () => {
    // The sim's kubelet samples the real agent's RSS and kills it over the limit, like the kernel.
    // The job outlives a few RSS samples, so the kill never depends on how fast the agent starts.
    const job = await failedWith({ command: 'sleep', args: ['10'], resources: { memory: '16Mi' } });
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('OOMKilled');
    expect(job.signal).toBe('SIGKILL'); // the kernel's OOM killer signal, kept on the record (hodei run exits 137)
  });

  it('a token Secret the API refuses fails the job with that reason, and its pod (which could never register) is deleted', async () => {
    sim.admin.setFaults({ rules: [{ verbs: ['create'], resources: ['secrets'], error: { code: 403, message: 'secrets is forbidden: refused by this test' }, count: 1 }] });
    let job: Awaited<ReturnType<typeof failedWith>>;
    try {
      job = await failedWith({ command: 'true' });
    } finally {
      sim.admin.clearFaults();
    }
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('Forbidden');
    expect(job.message).toMatch(/^creating token Secret hodei-fail\/hodei-.*-token: .*refused by this test/);
    await poll('its pod deleted', () => sim.store.list('pods', BASE).items.length === 0);
  });

  it('leaves no pods or token Secrets behind', async () => {
    await poll('no pods or secrets', () => ['pods', 'secrets'].every((r) =>
      sim.store.list(r).items.filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'hodei').length === 0));
  });
});

describe('kubernetes provider: RBAC denial', () => {
  let rs: TestServer | undefined;
  afterAll(async () => { await rs?.stop(); });

  it('a service account that may not create pods fails the job with Forbidden', async () => {
    const ns = 'hodei-rbac';
    sim.admin.apply('namespaces', { metadata: { name: ns } });
    sim.admin.setRbac({
      users: [{
        name: 'hodei-limited', token: 'limited-token-0123456789',
        rules: [
          { verbs: ['get', 'list', 'watch'], resources: ['pods', 'namespaces', 'secrets'], apiGroups: [''] },
          { verbs: ['create', 'delete', 'patch'], resources: ['secrets'], apiGroups: [''] },
        ],
      }],
    });
    const kubeconfig = sim.writeKubeconfig(join(s.dataDir, 'limited.kubeconfig'), 'limited-token-0123456789', 'hodei-limited');
    rs = await startTestServer({ config: { provider: 'kubernetes', kubernetes: { ...simSettings(sim, { namespace: ns }), kubeconfig } } });
    const submitted = await rs.client.submit({ command: 'true', retries: 0 });
    const job = await waitForJob(rs.client, submitted.id, 30_000);
    expect(job.state).toBe('failed');
    expect(job.reason).toBe('Forbidden');
    expect(job.message).toMatch(/cannot create resource "pods"/);
    await poll('token Secret removed', () => sim.store.list('secrets', ns).items.length === 0);
  });
});
