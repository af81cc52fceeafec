// `hodei server --provider kubernetes --kubeconfig <sim>` + `hodei run` (both the real CLI, as child
// processes) against kube-sim: a pod with the job's requests and
// restricted security settings, the agent registers, output streams back, the exit code propagates,
// and the pod and its token Secret are gone afterwards (retention never).
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
    '--k8s-namespace', NS], { HODEI_API_TOKEN: token, HODEI_LOG_LEVEL: 'warn', HODEI_K8S_RECONCILE_INTERVAL_MS: '500' });
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
    const tokenVar = main.env.find((e) => e.name === 'HODEI_WORKER_TOKEN');
    expect(tokenVar?.value).toBeUndefined();
    expect(tokenVar?.valueFrom).toMatchObject({ secretKeyRef: { key: 'token' } });
    const ns = sim.store.get('namespaces', undefined, NS) as unknown as { metadata: { labels: Record<string, string> } };
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    await poll('pod and Secret deleted', () => pods().length === 0 && sim.store.list('secrets', NS).items.length === 0);
  });
});
