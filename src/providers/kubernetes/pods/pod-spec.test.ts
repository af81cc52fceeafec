import { describe, expect, it } from 'vitest';
import type { ProvisionRequest } from '../../provider.js';
import { resolveKubernetesOptions } from '../config.js';
import { buildWorkerPod, DEADLINE_MARGIN_SECONDS, ownedBy, ResourceLimitError } from './pod-spec.js';

const TOKEN = 'one-time-token-abcdef0123456789';
const req = (extra: Partial<ProvisionRequest> = {}): ProvisionRequest => ({
  workerId: 'w-1234', jobId: 'job-1', token: TOKEN, serverUrl: 'http://cp:7070', resources: {}, labels: {}, ...extra,
});
const options = (extra: Parameters<typeof resolveKubernetesOptions>[0] = {}) => resolveKubernetesOptions({ workerImage: 'hodei-worker:test', ...extra });

describe('buildWorkerPod', () => {
  it('labels, requests/limits incl. GPUs, restartPolicy Never, deadline from the timeout, no SA token', () => {
    const { pod, requests } = buildWorkerPod(req({ resources: { cpu: '250m', memory: '128Mi', gpu: 1 }, timeoutSeconds: 60 }), options(), 'ns', 'http://cp:7070');
    expect(pod.metadata?.name).toBe('hodei-w-1234');
    expect(pod.metadata?.labels).toMatchObject({
      'app.kubernetes.io/name': 'hodei-worker', 'app.kubernetes.io/managed-by': 'hodei', 'app.kubernetes.io/component': 'worker',
      'hodei.io/worker-id': 'w-1234', 'hodei.io/job-id': 'job-1', 'hodei.io/provider-id': 'kubernetes',
    });
    const spec = pod.spec!;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.activeDeadlineSeconds).toBe(60 + DEADLINE_MARGIN_SECONDS);
    expect(spec.automountServiceAccountToken).toBe(false);
    const main = spec.containers[0]!;
    expect(main.resources).toEqual({
      requests: { cpu: '250m', memory: '128Mi', 'nvidia.com/gpu': '1' }, limits: { cpu: '250m', memory: '128Mi', 'nvidia.com/gpu': '1' },
    });
    expect(requests).toEqual({ cpuMillis: 250, memoryBytes: 128 * 2 ** 20, gpus: 1 });
    expect(main.image).toBe('hodei-worker:test');
    expect(main.command).toEqual(['hodei']);
    expect(main.args).toEqual(['worker', '--server', 'http://cp:7070']);
    expect(spec.initContainers).toBeUndefined();
  });

  it('meets Pod Security "restricted" on the pod and on every container, with a writable emptyDir for work', () => {
    const { pod } = buildWorkerPod(req({ image: 'python:3.12' }), options(), 'ns', 'http://cp');
    const spec = pod.spec!;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(spec.volumes?.find((v) => v.name === 'work')?.emptyDir).toEqual({});
    expect(spec.containers[0]?.volumeMounts).toContainEqual({ name: 'work', mountPath: '/work' });
  });

  it('runs a job image with the agent copied in by an init container from the worker image', () => {
    const { pod } = buildWorkerPod(req({ image: 'python:3.12' }), options(), 'ns', 'http://cp');
    const spec = pod.spec!;
    const init = spec.initContainers?.[0];
    expect(init?.image).toBe('hodei-worker:test');
    expect(init?.volumeMounts).toEqual([{ name: 'hodei-bin', mountPath: '/hodei/bin' }]);
    const main = spec.containers[0]!;
    expect(main.image).toBe('python:3.12');
    expect(main.command).toEqual(['/hodei/bin/hodei']);
    expect(main.volumeMounts).toContainEqual({ name: 'hodei-bin', mountPath: '/hodei/bin', readOnly: true });
  });

  it('keeps the token out of the pod: a read-only Secret volume the agent reads the token file from', () => {
    const { pod, secret } = buildWorkerPod(req(), options(), 'ns', 'http://cp');
    expect(JSON.stringify(pod)).not.toContain(TOKEN);
    expect(JSON.stringify(pod)).not.toContain(Buffer.from(TOKEN).toString('base64'));
    const main = pod.spec!.containers[0]!;
    expect(main.env!.find((e) => e.name === 'HODEI_WORKER_TOKEN')).toBeUndefined();
    expect(main.env!.find((e) => e.name === 'HODEI_WORKER_TOKEN_FILE')).toEqual({ name: 'HODEI_WORKER_TOKEN_FILE', value: '/var/run/secrets/hodei/token' });
    expect(main.volumeMounts).toContainEqual({ name: 'hodei-token', mountPath: '/var/run/secrets/hodei', readOnly: true });
    expect(pod.spec!.volumes).toContainEqual({ name: 'hodei-token', secret: { secretName: 'hodei-w-1234-token', defaultMode: 0o440, items: [{ key: 'token', path: 'token' }] } });
    expect(secret.metadata?.name).toBe('hodei-w-1234-token');
    expect(Buffer.from(secret.data?.token ?? '', 'base64').toString()).toBe(TOKEN);
    // Created after its pod, owned by it: the garbage collector deletes it with the pod.
    expect(ownedBy(secret, { name: 'hodei-w-1234', uid: 'u-1' }).metadata?.ownerReferences)
      .toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'hodei-w-1234', uid: 'u-1', blockOwnerDeletion: false, controller: false }]);
  });

  it('applies defaults, pull secrets, service account, node selector, tolerations and affinity', () => {
    const o = options({
      defaultResources: { cpu: '100m', memory: '64Mi' }, imagePullSecrets: ['regcred'], serviceAccount: 'hodei-worker',
      nodeSelector: { pool: 'jobs' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'jobs', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: {} },
    });
    const spec = buildWorkerPod(req(), o, 'ns', 'http://cp').pod.spec!;
    expect(spec.containers[0]?.resources?.requests).toEqual({ cpu: '100m', memory: '64Mi' });
    expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(spec.serviceAccountName).toBe('hodei-worker');
    expect(spec.nodeSelector).toEqual({ pool: 'jobs' });
    expect(spec.tolerations).toHaveLength(1);
    expect(spec.affinity).toEqual({ nodeAffinity: {} });
  });

  it('refuses requests above maxResources', () => {
    const o = options({ maxResources: { cpu: '2', memory: '1Gi', gpu: 0 } });
    expect(() => buildWorkerPod(req({ resources: { cpu: '2500m' } }), o, 'ns', 'x')).toThrow(ResourceLimitError);
    expect(() => buildWorkerPod(req({ resources: { memory: '2Gi' } }), o, 'ns', 'x')).toThrow(/memory 2Gi exceeds the maximum 1Gi/);
    expect(() => buildWorkerPod(req({ resources: { gpu: 1 } }), o, 'ns', 'x')).toThrow(/gpu/);
    expect(() => buildWorkerPod(req({ resources: { cpu: '2' } }), o, 'ns', 'x')).not.toThrow();
  });
});
