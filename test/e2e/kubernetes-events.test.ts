// What the observability work builds on: the provider's typed events for a real job (created →
// state changes → ready with its startup breakdown → deleted with the delete duration), the
// agent registration learnt from the control plane, and the retention policy keeping failed pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { KubernetesProviderEventMap } from '../../src/providers/kubernetes/events.js';
import { KubernetesProvider } from '../../src/providers/kubernetes/kubernetes-provider.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

const NS = 'hodei-events';
let sim: KubeSim;
let s: TestServer;
let provider: KubernetesProvider;
type Ev = { [K in keyof KubernetesProviderEventMap]: { type: K; ev: KubernetesProviderEventMap[K][0] } }[keyof KubernetesProviderEventMap];
const events: Ev[] = [];

beforeAll(async () => {
  sim = await startTestSim();
  provider = new KubernetesProvider({
    settings: simSettings(sim, { namespace: NS, podRetention: 'onFailure' }), logger: silentLogger(),
    lookupWorker: async (id) => (s ? s.cp.store.getWorker(id) : null),
  });
  const record = <K extends Ev['type']>(type: K): void => {
    provider.k8sEvents.on(type, ((ev: unknown) => events.push({ type, ev } as Ev)) as never);
  };
  for (const type of ['pod.created', 'pod.state', 'pod.ready', 'pod.deleted', 'pod.failed', 'namespace.created', 'informer.relist'] as const) record(type);
  s = await startTestServer({ provider });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

const of = <K extends Ev['type']>(type: K, workerId: string): KubernetesProviderEventMap[K][0][] =>
  events.filter((e) => e.type === type && (!('workerId' in e.ev) || e.ev.workerId === workerId)).map((e) => e.ev as KubernetesProviderEventMap[K][0]);

describe('kubernetes provider events', () => {
  it('reports a job pod from creation to deletion, with its startup breakdown', async () => {
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'sh', args: ['-c', 'echo ok'], resources: { cpu: '200m', memory: '256Mi' } })).id);
    expect([job.state, job.reason, job.message]).toEqual(['succeeded', 'Completed', null]);
    const workerId = job.workerId ?? '';
    expect(events.find((e) => e.type === 'namespace.created')).toBeTruthy();
    await poll('pod deleted', () => of('pod.deleted', workerId).length > 0);
    const [created] = of('pod.created', workerId);
    expect(created).toMatchObject({ jobId: job.id, namespace: NS, resources: { cpuMillis: 200, memoryBytes: 256 * 2 ** 20, gpus: 0 } });
    const [ready] = of('pod.ready', workerId);
    const b = ready?.startup;
    expect(b?.scheduledAt).toBeDefined();
    expect(b?.imagePulledAt).toBeDefined();
    expect(b?.containerStartedAt).toBeDefined();
    expect(b?.agentRegisteredAt).toBeDefined();
    // created ≤ scheduled ≤ pulled ≤ started ≤ registered
    const steps = [b?.createdAt, b?.scheduledAt, b?.imagePulledAt, b?.containerStartedAt, b?.agentRegisteredAt] as number[];
    expect([...steps].sort((x, y) => x - y)).toEqual(steps);
    expect(ready?.durationMs).toBe((b?.agentRegisteredAt ?? 0) - (b?.createdAt ?? 0));
    const states = of('pod.state', workerId).map((e) => e.to);
    expect(states[0]).toBe('Pending');
    expect(states).toContain('Running');
    expect(states).toContain('Succeeded');
    const [deleted] = of('pod.deleted', workerId);
    // 'finished' (retention) — or 'terminated' when the control plane's reconciler got there first.
    expect(['finished', 'terminated']).toContain(deleted?.cause);
    expect(deleted?.durationMs).not.toBeNull();
  });

  it('keeps a failed pod under retention onFailure (and still deletes its token Secret)', async () => {
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', image: 'registry.invalid/x:1', retries: 0 })).id);
    expect(job.state).toBe('failed');
    const workerId = job.workerId ?? (await s.cp.store.listWorkers({})).find((w) => w.jobId === job.id)?.id ?? '';
    expect(of('pod.failed', workerId)[0]?.reason).toMatch(/ImagePullBackOff|ErrImagePull/);
    // A pod that never started is deleted even under onFailure: it would hold quota and retry pulls forever.
    await poll('pending pod deleted', () => of('pod.deleted', workerId).length > 0);
    await poll('Secret deleted', () => sim.store.list('secrets', NS).items.length === 0);
  });

  it('keeps a pod whose agent failed under retention onFailure', async () => {
    // The agent cannot reach this URL: it exits non-zero before registering → the pod Failed.
    const before = sim.store.list('pods', NS).items.length;
    const bad = new KubernetesProvider({ settings: simSettings(sim, { namespace: NS, id: 'bad-url', podRetention: 'onFailure', controlPlaneUrl: 'http://127.0.0.1:9', workerEnv: { HODEI_WORKER_CONNECT_TIMEOUT: '1' } }), logger: silentLogger() });
    await bad.start();
    const failed: string[] = [];
    bad.events.on('worker.failed', (e) => failed.push(e.reason));
    await bad.provision({ workerId: 'w-unreachable', jobId: null, token: 'tok-0123456789abcdef', serverUrl: 'http://127.0.0.1:9', resources: {}, labels: {} });
    await poll('agent gave up', () => failed.length > 0, 90_000);
    expect(failed).toEqual(['AgentNeverRegistered']);
    await new Promise((r) => setTimeout(r, 1500)); // two reconcile periods: retention must not delete it
    expect(sim.store.get('pods', NS, 'hodei-w-unreachable')?.status).toMatchObject({ phase: 'Failed' });
    expect(sim.store.list('pods', NS).items.length).toBe(before + 1);
    await bad.stop();
  }, 120_000);
});
