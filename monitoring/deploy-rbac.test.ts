// The shipped RBAC (deploy/kubernetes/rbac.yaml) is enough for the Kubernetes provider: a control
// plane whose only rights are those runs jobs on kube-sim without a single 403, and taking one
// verb away (create pods) makes jobs fail Forbidden — the RBAC is tested, not assumed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeSim, RbacPolicy } from '../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../test/support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from '../test/e2e/harness.js';
import { simPolicyFromDeploy } from '../test/support/monitoring/rbac.js';

const NS = 'hodei-jobs-workers'; // the Role is scoped to it
const TOKEN = 'hodei-sa-token';

describe('deploy RBAC with the Kubernetes provider on kube-sim', () => {
  let sim: KubeSim | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    await sim?.stop();
    server = undefined;
    sim = undefined;
  });

  async function start(policy: RbacPolicy): Promise<{ sim: KubeSim; server: TestServer }> {
    sim = await startTestSim({ rbac: policy });
    const kubeconfig = sim.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'hodei-rbac-')), 'kubeconfig'), TOKEN, 'hodei');
    server = await startTestServer({ config: { provider: 'kubernetes', kubernetes: { ...simSettings(sim, { namespace: NS }), kubeconfig } } });
    return { sim, server };
  }

  const forbidden = (s: KubeSim): Record<string, number> =>
    Object.fromEntries(Object.entries(s.admin.stats().requests.byKey).filter(([k]) => k.endsWith(' 403')));

  it('runs jobs with exactly the shipped rights: no request is forbidden', async () => {
    const { sim, server } = await start(simPolicyFromDeploy(TOKEN));
    const jobs = await Promise.all([1, 2].map(() => server.client.submit({ command: 'true', retries: 0 })));
    const ended = await Promise.all(jobs.map((j) => waitForJob(server.client, j.id, 60_000)));
    expect(ended.map((j) => [j.state, j.reason])).toEqual([['succeeded', 'Completed'], ['succeeded', 'Completed']]);
    expect(forbidden(sim)).toEqual({});
  }, 90_000);

  it('without "create pods" the job fails Forbidden', async () => {
    const policy = simPolicyFromDeploy(TOKEN);
    for (const r of policy.users[0]?.rules ?? []) if (r.resources.includes('pods')) r.verbs = r.verbs.filter((v) => v !== 'create');
    const { sim, server } = await start(policy);
    const job = await server.client.submit({ command: 'true', retries: 0 });
    const ended = await waitForJob(server.client, job.id, 60_000);
    expect([ended.state, ended.reason]).toEqual(['failed', 'Forbidden']);
    expect(Object.keys(forbidden(sim))).toContain('create pods 403');
  }, 90_000);
});
