// A worker namespace deleted under a running control plane (`kubectl delete namespace`): the job
// whose pod it held ends as NamespaceDeleted (not an anonymous loss), the namespace is recreated by
// itself with its Pod Security labels and network policies, counted as a namespace operation and
// recorded as a namespace.created event (reason Recreated), `hodei diagnose` names it, and jobs run
// again; a worker pool's Secret, Deployment and HPA are deployed again (a new bootstrap token) and
// its agents register. On the code as it was, the namespace stayed gone and every later job
// failed; then, the pools stayed gone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { R } from '../../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { runCli, startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

const NS = 'hodei-nsdel';
let sim: KubeSim;
let s: TestServer;

beforeAll(async () => {
  sim = await startTestSim();
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, networkPolicy: { enabled: true } }) } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

/** What `kubectl delete namespace` does: marks it Terminating; the namespace controller empties and removes it. */
const kubectlDeleteNamespace = (): void => {
  sim.store.delete(R.namespaces, undefined, NS);
};

it('a deleted worker namespace is recreated, named and counted; jobs run again', async () => {
  const before = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, 30_000);
  expect(before, before.message ?? '').toMatchObject({ state: 'succeeded' });
  const firstUid = sim.store.get(R.namespaces, undefined, NS)?.metadata.uid;
  const pool = await fetch(`${s.url}/v1/pools`, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'warm', min: 1, max: 2, target: { type: 'queue', averageValue: 5 } }) });
  expect(pool.status, await pool.text()).toBe(201);
  const poolWorkers = async (): Promise<number> => (JSON.parse((await s.client.raw('/v1/pools/warm')).text) as { status: { readyWorkers: number } }).status.readyWorkers;
  await waitFor('the pool\'s agent registered', async () => await poolWorkers() >= 1, 30_000);
  const firstSecret = sim.store.list(R.secrets, NS).items.find((x) => x.metadata.name.includes('warm'))?.metadata.uid;

  // Interrupted by the pod's termination (the agent reports it and exits), then retried once the
  // namespace is back: not lost.
  const running = await s.client.submit({ command: 'sleep', args: ['2'], retries: 1 });
  await waitFor('job running', async () => (await s.client.getJob(running.id)).state === 'running', 30_000);
  const deletedAt = Date.now();
  kubectlDeleteNamespace();

  const ns = await waitFor('namespace recreated', async () => {
    const o = sim.store.get(R.namespaces, undefined, NS);
    return o && o.metadata.uid !== firstUid && !o.metadata.deletionTimestamp ? o : undefined;
  }, 20_000);
  expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  await waitFor('network policies reapplied', async () => sim.store.list(R.networkpolicies, NS).items.length === 2, 10_000);
  await waitFor('the pool deployed again', async () => sim.store.list(R.deployments, NS).items.length === 1
    && sim.store.list(R.horizontalpodautoscalers, NS).items.length === 1
    && sim.store.list(R.secrets, NS).items.some((x) => x.metadata.name.includes('warm') && x.metadata.uid !== firstSecret), 20_000);
  // Its agents register with the new token (the old one's Secret went with the namespace).
  await waitFor('a pool agent registered again', async () => {
    const w = await s.cp.store.listWorkers({ states: ['ready', 'busy'] });
    return w.some((x) => x.pool === 'warm' && Date.parse(x.createdAt) > deletedAt);
  }, 30_000);

  const after = await waitForJob(s.client, (await s.client.submit({ command: 'true', retries: 0 })).id, 30_000);
  expect(after, after.message ?? '').toMatchObject({ state: 'succeeded' });
  const retried = await waitForJob(s.client, running.id, 30_000);
  expect(retried, retried.message ?? '').toMatchObject({ state: 'succeeded', attempt: 2 });
  const deleted = JSON.parse((await s.client.raw('/v1/events?type=worker.deleted')).text) as { events: { details: Record<string, unknown> }[] };
  expect(deleted.events.some((e) => e.details.job_id === running.id && e.details.reason === 'external')).toBe(true);

  const metrics = (await s.client.raw('/metrics')).text;
  expect(metrics).toMatch(/hodei_kubernetes_namespace_operations_total\{[^}]*operation="create"[^}]*\} 2/); // created at start, then recreated
  const events = JSON.parse((await s.client.raw('/v1/events?type=namespace.created')).text) as { events: { namespace: string; details: Record<string, unknown> }[] };
  expect(events.events.filter((e) => e.details.reason === 'Recreated').map((e) => e.namespace)).toEqual([NS]);
  const diag = await runCli(['diagnose'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
  expect(diag.stdout).toContain(`Worker namespace ${NS} was deleted outside Hodei (1×) and recreated`);
}, 120_000);
