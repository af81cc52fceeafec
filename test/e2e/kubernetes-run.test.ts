// `hodei server --provider kubernetes --kubeconfig <sim>` + `hodei run` (both the real CLI, as child
// processes) against kube-sim: a pod with the job's requests and
// restricted security settings, the agent registers, output streams back, the exit code propagates,
// and the pod and its token Secret are gone afterwards (retention never). A worker costs two creates
// (pod, then its Secret owned by it) and one delete (the Secret goes with its pod), and a Secret
// that lands after the kubelet reached the pod only delays the start (FailedMount), never fails it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import type { PodJson } from '../../src/providers/kubernetes/pods/pod-status.js';
import { poll, startTestSim } from '../support/kubernetes/sim.js';
import { freshDatabase } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import { runCli, startServerProcess, type ServerProcess } from './harness.js';

let sim: KubeSim;
let server: ServerProcess;
const token = newToken();
const NS = 'hodei-e2e-run';

beforeAll(async () => {
  sim = await startTestSim();
  const db = await freshDatabase('pglite');
  server = await startServerProcess(['--port', '0', '--data-dir', db.location, '--provider', 'kubernetes', '--kubeconfig', sim.kubeconfig,
    '--k8s-namespace', NS], { HODEI_API_TOKEN: token, HODEI_LOG_LEVEL: 'warn', HODEI_K8S_RECONCILE_INTERVAL_MS: '500',
    // A start failure (CreateContainerConfigError...) this old fails the worker: a late Secret must not be one.
    HODEI_K8S_START_FAILURE_GRACE_MS: '200' });
});
afterAll(async () => {
  server?.proc.kill('SIGTERM');
  await server?.exited;
  await sim?.stop();
});

const pods = (): PodJson[] => sim.store.list('pods', NS).items as unknown as PodJson[];

describe('kubernetes provider: hodei run', () => {
  it('runs the job in a restricted pod, streams output, propagates exit 2 and cleans up', async () => {
    const seen: PodJson[] = [];
    const off = sim.store.onChange('pods', (ev) => { if (ev.type === 'ADDED') seen.push(ev.object as unknown as PodJson); });
    const r = await runCli(['run', '--cpu', '250m', '--memory', '128Mi', '--', 'sh', '-c', 'echo hi; exit 2'], { HODEI_URL: server.url, HODEI_API_TOKEN: token });
    off();
    expect(r.stdout).toContain('hi');
    expect(r.code).toBe(2);
    expect(seen).toHaveLength(1);
    const pod = seen[0] as unknown as { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } };
    const main = pod.spec.containers[0] as { resources: unknown; securityContext: unknown; env: Array<{ name: string; value?: string; valueFrom?: unknown }> };
    expect(main.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '250m', memory: '128Mi' } });
    expect(main.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    // The token is never in the pod spec: a file of the worker's Secret volume.
    expect(main.env.find((e) => e.name === 'HODEI_WORKER_TOKEN')).toBeUndefined();
    expect(main.env.find((e) => e.name === 'HODEI_WORKER_TOKEN_FILE')?.value).toBe('/var/run/secrets/hodei/token');
    expect(pod.spec.volumes).toContainEqual(expect.objectContaining({ name: 'hodei-token', secret: expect.objectContaining({ secretName: expect.stringMatching(/-token$/) }) }));
    const ns = sim.store.get('namespaces', undefined, NS) as unknown as { metadata: { labels: Record<string, string> } };
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await poll('pod and Secret deleted', () => pods().length === 0 && sim.store.list('secrets', NS).items.length === 0);
  });

  it('pod first, then its Secret owned by it; a late Secret delays the start, never fails it; deleting the pod deletes both', async () => {
    const before = sim.admin.stats().requests.byKey;
    // The Secret lands well after the kubelet reached the pod: it waits on the volume (FailedMount).
    sim.admin.setFaults({ rules: [{ verbs: ['create'], resources: ['secrets'], namespaces: [NS], latencyMs: 1500 }] });
    let r: Awaited<ReturnType<typeof runCli>>;
    try {
      r = await runCli(['run', '--', 'sh', '-c', 'echo late-secret-ok'], { HODEI_URL: server.url, HODEI_API_TOKEN: token });
    } finally {
      sim.admin.clearFaults();
    }
    expect(r.stdout).toContain('late-secret-ok');
    expect(r.code).toBe(0);
    await poll('pod and Secret deleted', () => pods().length === 0 && sim.store.list('secrets', NS).items.length === 0);
    const after = sim.admin.stats().requests.byKey;
    const delta = (prefix: string): number => Object.entries(after).filter(([k]) => k.startsWith(prefix)).reduce((a, [k, n]) => a + n - (before[k] ?? 0), 0);
    expect({ createPods: delta('create pods '), createSecrets: delta('create secrets '), patchSecrets: delta('patch secrets '), deletePods: delta('delete pods '), deleteSecrets: delta('delete secrets ') })
      .toEqual({ createPods: 1, createSecrets: 1, patchSecrets: 0, deletePods: 1, deleteSecrets: 0 });
    const mounts = sim.store.list('events', NS).items
      .filter((e) => (e as unknown as { reason?: string }).reason === 'FailedMount')
      .map((e) => (e as unknown as { message?: string }).message ?? '');
    expect(mounts.some((m) => /volume "hodei-token" : secret "hodei-.*-token" not found/.test(m))).toBe(true);
  });
});
