// `hodei diagnose` and `hodei incident` against a control plane running the Kubernetes provider on
// the simulator, after real failures: quota exhausted and an image that cannot be pulled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { runCli, startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;
const NS = 'hodei-diagnose';
const env = (): Record<string, string> => ({ HODEI_URL: s.url, HODEI_API_TOKEN: s.token });

beforeAll(async () => {
  sim = await startTestSim();
  sim.admin.apply('namespaces', { metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
  sim.admin.apply('resourcequotas', { metadata: { name: 'compute', namespace: NS }, spec: { hard: { pods: '1' } } });
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS }) } });
  // One long job holds the only pod the quota allows; the next is refused; one image cannot be pulled.
  const holder = await s.client.submit({ command: 'sleep', args: ['60'] });
  await waitFor('the quota to be used', async () => (await s.client.getJob(holder.id)).state === 'running');
  const refused = await s.client.submit({ command: 'true' });
  expect((await waitForJob(s.client, refused.id)).reason).toBe('ExceededQuota');
  await s.client.cancel(holder.id);
  await waitFor('the holder pod to go', async () => sim.store.list('pods', NS).items.length === 0);
  const pull = await s.client.submit({ command: 'true', image: 'registry.invalid/nope:1' });
  expect(['ErrImagePull', 'ImagePullBackOff']).toContain((await waitForJob(s.client, pull.id)).reason);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

describe('hodei diagnose', () => {
  it('shows creation, failures by reason, API error rate, health and SLOs, with the likely causes', async () => {
    const r = await runCli(['diagnose'], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Worker creation \(last 60 m\): 1 created, 2 failed/);
    expect(r.stdout).toMatch(/Failures by reason: (ExceededQuota 1, (ErrImagePull|ImagePullBackOff) 1|(ErrImagePull|ImagePullBackOff) 1, ExceededQuota 1)/);
    expect(r.stdout).toMatch(/API error rate: +0\.00% \(0 of \d+ requests since start\)/);
    expect(r.stdout).toContain('worker_creation_success_rate');
    expect(r.stdout).toContain('- Quota exhausted');
    expect(r.stdout).toContain('- Image pull failures (1)');
    const json = JSON.parse((await runCli(['diagnose', '--json'], env())).stdout) as { failed: number; causes: string[] };
    expect(json.failed).toBe(2);
    expect(json.causes).toHaveLength(2);
  });
});

describe('hodei incident', () => {
  it('writes a Markdown timeline with failures, SLO changes and likely causes', async () => {
    const r = await runCli(['incident', '--since', '1h'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Incident timeline \(since /);
    expect(r.stdout).toMatch(/\| .*Z \| Worker w-[0-9a-f-]+ failed: ExceededQuota/);
    expect(r.stdout).toMatch(/\| .*Z \| Worker w-[0-9a-f-]+ failed: (ErrImagePull|ImagePullBackOff)/);
    expect(r.stdout).toContain('- Worker failures: 2');
    expect(r.stdout).toContain('## Post-mortem');
    // -o json prints the same timeline as JSON (it used to print Markdown whatever was asked).
    const json = JSON.parse((await runCli(['incident', '--since', '1h', '-o', 'json'], env())).stdout) as { events: unknown[]; diagnosis: { failed: number } };
    expect(json.diagnosis.failed).toBe(2);
    expect(json.events.length).toBeGreaterThan(0);
    const bad = await runCli(['incident', '--since', 'yesterday'], env());
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--since must be a duration like 30m, 2h or 1d');
  });
});
