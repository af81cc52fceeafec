// KubernetesHealthChecker against the simulator: real API, real quota, RBAC, capacity and outages.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../../../kube-sim/index.js';
import { clientsFor, podBody } from '../../../../test/support/kube-sim/clients.js';
import { KubeClient } from '../client/client.js';
import { poll } from '../../../../test/support/wait.js';
import { KubernetesHealthChecker, type HealthCheckerOptions } from './checker.js';

const NS = 'hodei-jobs-workers';
const open: Array<{ sim: KubeSim; client: KubeClient; checker?: KubernetesHealthChecker }> = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    o.checker?.close();
    o.client.close();
    await o.sim.stop();
  }
});

async function setup(simOptions: Parameters<typeof startKubeSim>[0] = {}, token?: string, listCheckPeriodMs = 0, extra: HealthCheckerOptions = {}) {
  const sim = await startKubeSim({ nodes: 2, nodeCpu: '2', nodeMemory: '4Gi', ...simOptions });
  const clients = clientsFor(sim.kubeconfig);
  await clients.core.createNamespace({ body: { metadata: { name: NS } } });
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfig);
  if (token) {
    const user = kc.getCurrentUser();
    if (user) Object.assign(user, { token });
  }
  const client = new KubeClient({ kubeConfig: kc, maxAttempts: 1 });
  const checker = new KubernetesHealthChecker('kubernetes', client, NS, {
    worker: { cpuMillis: 100, memoryBytes: 128 * 2 ** 20, gpus: 0 },
    loops: () => [{ name: 'reconcile', lastTickAt: new Date(), intervalMs: 5000 }],
    listCheckPeriodMs, fastCheckPeriodMs: 0, ...extra,
  });
  open.push({ sim, client, checker });
  return { sim, checker, ...clients };
}

const check = (r: { checks: Array<{ name: string; status: string; message: string }> }, name: string) =>
  r.checks.find((c) => c.name === `kubernetes-${name}`);

describe('KubernetesHealthChecker', () => {
  it('is Healthy on a working cluster and names every check', async () => {
    const { checker } = await setup();
    // A probe before any answer says "no answer within 800 ms"; first answers can take longer on a loaded machine.
    let r = await checker.readinessCheck();
    for (let i = 0; i < 100 && r.status !== 'Healthy'; i++) r = await new Promise((res) => setTimeout(res, 200)).then(() => checker.readinessCheck());
    expect(r.checks.filter((c) => c.status !== 'Healthy')).toEqual([]);
    expect(r.status).toBe('Healthy');
    expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['kubernetes-api', 'kubernetes-namespace', 'kubernetes-rbac', 'kubernetes-quota', 'kubernetes-capacity']));
    expect(r.details['kubernetes-capacity']).toMatch(/2\/2 nodes can fit a worker/);
    expect((await checker.livenessCheck()).status).toBe('Healthy');
    expect((await checker.startupCheck()).status).toBe('Healthy');
  });

  it('reads list-based checks from cache: probes within the period list no nodes, pods or quotas', async () => {
    const { sim, checker } = await setup({}, undefined, 60_000);
    const lists = (): number => Object.entries(sim.admin.stats().requests.byKey)
      .filter(([k]) => /^list (nodes|pods|resourcequotas|horizontalpodautoscalers) /.test(k)).reduce((a, [, n]) => a + n, 0);
    expect((await checker.readinessCheck()).status).toBe('Healthy');
    const afterFirst = lists();
    expect(afterFirst).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await checker.readinessCheck()).status).toBe('Healthy');
    expect(lists()).toBe(afterFirst); // the old checker listed every node and pod on every probe
  });

  it('goes Degraded as a pods quota fills and stays Degraded (ready) when it is full, naming the quota', async () => {
    const { checker, core } = await setup();
    await core.createNamespacedResourceQuota({ namespace: NS, body: { metadata: { name: 'compute' }, spec: { hard: { pods: '10' } } } });
    for (let i = 0; i < 9; i++) await core.createNamespacedPod({ namespace: NS, body: podBody(`p${i}`) });
    await poll('the quota to be seen', async () => check(await checker.readinessCheck(), 'quota')?.message.includes('9/10'));
    let r = await checker.readinessCheck();
    expect(check(r, 'quota')).toMatchObject({ status: 'Degraded', message: "quota 'compute' pods 9/10 used (90%)" });
    expect(r.status).toBe('Degraded');
    await core.createNamespacedPod({ namespace: NS, body: podBody('p9') });
    // Refreshed behind the probe: a later probe sees it.
    await poll('the full quota to be seen', async () => check(await checker.readinessCheck(), 'quota')?.message.includes('10/10'));
    r = await checker.readinessCheck();
    expect(check(r, 'quota')).toMatchObject({ status: 'Degraded', message: "quota 'compute' pods 10/10 used: new worker pods will be refused" });
    expect(r.status).toBe('Degraded'); // jobs wait; the replica stays in its Service
  });

  it('answers Unhealthy (each check bounded by its timeout) when the API hangs; liveness stays Healthy', async () => {
    const { sim, checker } = await setup();
    sim.admin.setOutage({ mode: 'hang' });
    const [ready, live] = await Promise.all([checker.readinessCheck(), checker.livenessCheck()]);
    expect(ready.status).toBe('Unhealthy');
    expect(check(ready, 'api')?.message).toBe('no answer within 800 ms');
    expect(live.status).toBe('Healthy');
    sim.admin.setOutage(null);
  });

  it('stays Healthy while the API answers slower than the 800 ms check bound: slow is not down', async () => {
    const { sim, checker } = await setup({}, undefined, 0, { unansweredAfterMs: 30_000 });
    expect((await checker.readinessCheck()).status).toBe('Healthy');
    // Every namespace GET now takes 1.5 s (a loaded API server); each probe reads the cache at once.
    sim.admin.setFaults({ rules: [{ verbs: ['get'], resources: ['namespaces'], latencyMs: 1500 }] });
    const slowAnswers = (): number => Object.entries(sim.admin.stats().faults.byKey).filter(([k]) => k.startsWith('latency ')).reduce((a, [, n]) => a + n, 0);
    const seen: string[] = [];
    // Until a second slow request was sent: the first one answered (one refresh at a time) in between.
    while (slowAnswers() < 2) {
      const r = await checker.readinessCheck();
      seen.push(`${check(r, 'namespace')?.status}: ${check(r, 'namespace')?.message}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    sim.admin.clearFaults();
    expect(seen.filter((s) => !s.startsWith('Healthy'))).toEqual([]); // the old cache recorded "no answer within 800 ms" here
  });

  it('names the verbs RBAC denies', async () => {
    const rbac = { users: [
      { name: 'admin', token: 'admin-token', rules: [{ verbs: ['*'], resources: ['*'] }] },
      { name: 'hodei', token: 'hodei-token', rules: [
        { verbs: ['get', 'list', 'watch', 'create', 'delete'], resources: ['pods'] },
        { verbs: ['create', 'get'], resources: ['secrets'] },
        { verbs: ['get', 'list'], resources: ['namespaces', 'resourcequotas', 'nodes', 'horizontalpodautoscalers'] },
        { verbs: ['create'], resources: ['selfsubjectaccessreviews'] },
      ] },
    ] };
    const { checker } = await setup({ rbac, token: 'admin-token' }, 'hodei-token');
    const r = await checker.readinessCheck();
    expect(check(r, 'rbac')).toMatchObject({ status: 'Unhealthy', message: `RBAC denies delete secrets in namespace '${NS}'` });
  });

  it('is Degraded (jobs wait, the replica stays ready) when no node can fit a worker', async () => {
    const { checker } = await setup({ nodes: 1, nodeCpu: '50m' });
    const r = await checker.readinessCheck();
    expect(check(r, 'capacity')?.status).toBe('Degraded');
    expect(r.status).toBe('Degraded');
    expect(check(r, 'capacity')?.message).toMatch(/^no schedulable node can fit a worker \(cpu 100m, memory 128Mi\): 1 of 1 nodes Ready and schedulable; most free: cpu 50m/);
  });

  it('is Unhealthy when a provider loop is wedged', async () => {
    const sim = await startKubeSim({});
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfig);
    const client = new KubeClient({ kubeConfig: kc });
    const checker = new KubernetesHealthChecker('kubernetes', client, NS, {
      loops: () => [{ name: 'reconcile', lastTickAt: new Date(Date.now() - 120_000), intervalMs: 5000 }],
    });
    open.push({ sim, client, checker });
    const r = await checker.livenessCheck();
    expect(r.status).toBe('Unhealthy');
    expect(r.details['kubernetes-loops']).toBe('reconcile loop last ran 120 s ago (every 5000 ms expected)');
  });
});

describe('the spec example, in TypeScript', () => {
  it('runs as the observability guide writes it', async () => {
    const sim = await startKubeSim({});
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfig);
    const client = new KubeClient({ kubeConfig: kc });
    open.push({ sim, client });
    await clientsFor(sim.kubeconfig).core.createNamespace({ body: { metadata: { name: 'hodei-jobs-workers' } } });
    const lines: string[] = [];
    const println = (s: string): number => lines.push(s);
    const providerId = 'kubernetes';

    // --- as in the guide ---
    const checker = new KubernetesHealthChecker(providerId, client, 'hodei-jobs-workers');
    const liveness = await checker.livenessCheck();
    println(`Liveness: ${liveness.status}`);
    const readiness = await checker.readinessCheck();
    println(`Readiness: ${readiness.status}`);
    for (const [key, value] of Object.entries(readiness.details)) println(`  ${key}: ${value}`);
    // ---
    checker.close();

    expect(lines[0]).toBe('Liveness: Healthy');
    expect(lines[1]).toBe('Readiness: Healthy');
    expect(lines).toContain("  kubernetes-namespace: namespace 'hodei-jobs-workers' Active");
    expect(lines.some((l) => l.startsWith('  kubernetes-api: API server https://127.0.0.1:'))).toBe(true);
  });
});
