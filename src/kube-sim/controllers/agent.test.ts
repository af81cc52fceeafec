// The kubelet really runs the Hodei agent: a `hodei-worker` pod (and the init-container +
// shared-volume variant) starts a real `hodei worker` that registers with a real control plane;
// pod logs come from the process; deleting the pod kills its process group.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { startControlPlane, type ControlPlane } from '../../control-plane/control-plane.js';
import { createLogger } from '../../observability/logger.js';
import { freshPgliteDataDir } from '../../../test/support/store/fresh.js';
import { hashToken, newToken } from '../../util/tokens.js';
import type { SimClients } from '../../../test/support/kube-sim/clients.js';
import { groupAlive, startSim, waitFor } from '../../../test/support/kube-sim/controllers.js';

let c: SimClients;
let cp: ControlPlane;

beforeAll(async () => {
  const config = loadConfig({ env: {}, flags: { port: 0, dataDir: freshPgliteDataDir(), apiToken: newToken(), logLevel: 'warn', registrationTimeoutMs: 60_000 } });
  cp = await startControlPlane({ config, logger: createLogger({ level: 'warn', destination: new Writable({ write(_c, _e, cb) { cb(); } }) }) });
  c = await startSim();
  await c.core.createNamespace({ body: { metadata: { name: 'workers' } } });
});
afterAll(async () => {
  await c?.sim.stop();
  await cp?.stop();
});

/** pid of the process started with these exact arguments (found the way `ps` would). */
function findProcess(needle: string): number | undefined {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try { if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) return Number(e); } catch { /* gone */ }
  }
  return undefined;
}

// Pooled (non-ephemeral) workers: an ephemeral one without a job is drained and exits at once.
async function workerPod(name: string, variant: 'image' | 'init'): Promise<{ workerId: string; token: string }> {
  const token = newToken();
  const workerId = `w-${name}`;
  await cp.store.insertWorker({ id: workerId, providerId: 'kube-sim-test', jobId: null, ephemeral: false, tokenHash: hashToken(token), createdAt: new Date() });
  await c.core.createNamespacedSecret({ namespace: 'workers', body: { metadata: { name: `${name}-token` }, stringData: { token } } });
  const env = [
    { name: 'HODEI_WORKER_TOKEN', valueFrom: { secretKeyRef: { name: `${name}-token`, key: 'token' } } },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  const args = ['worker', '--server', `${cp.url}/?pod=${name}`];
  const spec = variant === 'image'
    ? { containers: [{ name: 'agent', image: 'hodei-worker:dev', command: ['hodei'], args, env, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] }
    : {
      volumes: [{ name: 'hodei-bin', emptyDir: {} }, { name: 'work', emptyDir: {} }],
      initContainers: [{ name: 'install-agent', image: 'hodei-worker:dev', command: ['hodei', 'install-agent', '/hodei/bin'], volumeMounts: [{ name: 'hodei-bin', mountPath: '/hodei/bin' }] }],
      containers: [{ name: 'job', image: 'alpine:3.20', command: ['/hodei/bin/hodei'], args, env, workingDir: '/work',
        volumeMounts: [{ name: 'hodei-bin', mountPath: '/hodei/bin' }, { name: 'work', mountPath: '/work' }] }],
    };
  await c.core.createNamespacedPod({ namespace: 'workers', body: { metadata: { name }, spec: { restartPolicy: 'Never', ...spec } } });
  return { workerId, token };
}

describe('kubelet runs the Hodei agent', () => {
  it('a hodei-worker pod registers a real worker; logs are served; deletion kills the process group', async () => {
    const { workerId } = await workerPod('agent-a', 'image');
    await waitFor('worker ready', async () => (await cp.store.getWorker(workerId))?.state === 'ready');
    const pod = await waitFor('pod Running', async () => {
      const p = await c.core.readNamespacedPod({ namespace: 'workers', name: 'agent-a' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(pod.spec?.nodeName).toMatch(/^kube-sim-node-/);
    expect(pod.status?.podIP).toMatch(/^10\.244\./);
    expect(pod.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
    const cs = pod.status?.containerStatuses?.[0];
    expect(cs?.state?.running?.startedAt).toBeDefined();
    expect(cs?.imageID).toContain('hodei-worker@sha256:');

    const pid = findProcess('?pod=agent-a');
    expect(pid).toBeDefined();
    expect(groupAlive(pid ?? -1)).toBe(true);

    // The agent logs "connecting" first, then its worker id once registered.
    const log = await waitFor('agent log naming its worker', async () => {
      const text = await c.core.readNamespacedPodLog({ namespace: 'workers', name: 'agent-a' });
      return text.includes(workerId) ? text : undefined;
    });
    expect(log).toContain(workerId);

    await c.core.deleteNamespacedPod({ namespace: 'workers', name: 'agent-a', gracePeriodSeconds: 5 });
    await waitFor('pod gone', async () => (await c.core.listNamespacedPod({ namespace: 'workers', fieldSelector: 'metadata.name=agent-a' })).items.length === 0);
    expect(groupAlive(pid ?? -1)).toBe(false);
    const events = await c.core.listNamespacedEvent({ namespace: 'workers', fieldSelector: 'involvedObject.name=agent-a' });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started', 'Killing']));
  });

  it('the init-container + shared-volume variant runs the agent copied into the volume', async () => {
    const { workerId } = await workerPod('agent-b', 'init');
    await waitFor('worker ready', async () => (await cp.store.getWorker(workerId))?.state === 'ready');
    const pod = await c.core.readNamespacedPod({ namespace: 'workers', name: 'agent-b' });
    expect(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    expect(pod.status?.conditions?.find((x) => x.type === 'Initialized')?.status).toBe('True');
    const pid = findProcess('?pod=agent-b');
    expect(pid).toBeDefined();
    // The agent runs in the volume mounted at workingDir.
    expect(readFileSync(`/proc/${pid ?? 0}/environ`, 'utf8')).toContain('POD_NAME=agent-b');
    expect(readlinkSync(`/proc/${pid ?? 0}/cwd`)).toMatch(/volumes\/work$/);
    await c.core.deleteNamespacedPod({ namespace: 'workers', name: 'agent-b', gracePeriodSeconds: 5 });
    await waitFor('process group gone', () => !groupAlive(pid ?? -1));
  });
});
