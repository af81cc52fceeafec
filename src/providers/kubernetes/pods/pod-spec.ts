// The pod factory: one pod per ephemeral worker, hardened to Pod Security Standards "restricted",
// plus the per-worker Secret that carries the one-time token (the pod only references it).
//
// The pod is created first and its Secret right after, owned by the pod (so the garbage collector
// deletes it with the pod). The token reaches the agent as a file of a Secret volume, not a
// secretKeyRef variable: the kubelet mounts every volume before it creates any container and
// retries a missing Secret (FailedMount, ContainerCreating) within a second or so, whereas a
// missing secretKeyRef is a CreateContainerConfigError the kubelet retries only on its pod-sync
// backoff (10 s) and the provider would report as a start failure.
//
// Jobs run in their own image the Tekton/Argo-emissary way: an init container from the worker image
// copies the agent into a shared emptyDir (/hodei/bin); the job's image is the main container and
// starts `/hodei/bin/hodei worker`, which runs the job's command. Without `image` the job runs in
// the worker image itself (`hodei worker`).
import type { V1Container, V1Pod, V1ResourceRequirements, V1Secret, V1SecurityContext } from '@kubernetes/client-node';
import type { ProvisionRequest } from '../../provider.js';
import type { KubernetesOptions, ResourceList } from '../config.js';
import { podName, secretName, workerLabels } from '../labels.js';
import { cpuMillis, memoryBytes } from '../quantity.js';

export const AGENT_DIR = '/hodei/bin';
export const WORK_DIR = '/work';
export const TOKEN_KEY = 'token';
/** Where the token Secret is mounted in the agent's container (read-only; the file is `token`). */
export const TOKEN_DIR = '/var/run/secrets/hodei';
export const TOKEN_VOLUME = 'hodei-token';
export const MAIN_CONTAINER = 'worker';
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Non-root uid/gid of the agent (distroless "nonroot"). */
const RUN_AS = 65532;
/** activeDeadlineSeconds = job timeout + this: room for pull and agent start, so the agent's own
 * timeout (which reports the result) normally fires first and the deadline is only a backstop. */
export const DEADLINE_MARGIN_SECONDS = 120;

export interface PodPlan {
  pod: V1Pod;
  secret: V1Secret;
  namespace: string;
  requests: { cpuMillis: number; memoryBytes: number; gpus: number };
}

/** Container-level settings PSS "restricted" requires (plus a read-only root filesystem). */
export function restrictedContainerSecurity(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
    capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  };
}

export class ResourceLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceLimitError';
  }
}

/** Requests of the job (or the defaults), refused when over `maxResources`. */
export function resourcesFor(req: ProvisionRequest['resources'], o: Pick<KubernetesOptions, 'defaultResources' | 'maxResources'>): V1ResourceRequirements {
  const cpu = req.cpu ?? o.defaultResources.cpu;
  const memory = req.memory ?? o.defaultResources.memory;
  const gpu = req.gpu ?? o.defaultResources.gpu ?? 0;
  checkMax({ ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), gpu }, o.maxResources);
  const list: Record<string, string> = {};
  if (cpu) list.cpu = cpu;
  if (memory) list.memory = memory;
  if (gpu > 0) list[GPU_RESOURCE] = String(gpu);
  // limits = requests: Guaranteed QoS, predictable quota accounting; GPUs must be set as limits anyway.
  return { requests: { ...list }, limits: { ...list } };
}

function checkMax(r: ResourceList, max: ResourceList | undefined): void {
  if (!max) return;
  if (max.cpu && r.cpu && cpuMillis(r.cpu) > cpuMillis(max.cpu)) throw new ResourceLimitError(`cpu ${r.cpu} exceeds the maximum ${max.cpu}`);
  if (max.memory && r.memory && memoryBytes(r.memory) > memoryBytes(max.memory)) throw new ResourceLimitError(`memory ${r.memory} exceeds the maximum ${max.memory}`);
  if (max.gpu !== undefined && (r.gpu ?? 0) > max.gpu) throw new ResourceLimitError(`gpu ${r.gpu ?? 0} exceeds the maximum ${max.gpu}`);
}

export function buildWorkerPod(req: ProvisionRequest, o: KubernetesOptions, namespace: string, serverUrl: string): PodPlan {
  const labels = workerLabels(o.id, req.workerId, req.jobId);
  const name = podName(req.workerId);
  const secret = secretName(req.workerId);
  const resources = resourcesFor(req.resources, o);
  const ownImage = req.image !== undefined && req.image !== '' && req.image !== o.workerImage;
  const mounts = [
    { name: 'work', mountPath: WORK_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    ...(ownImage ? [{ name: 'hodei-bin', mountPath: AGENT_DIR, readOnly: true }] : []),
    { name: TOKEN_VOLUME, mountPath: TOKEN_DIR, readOnly: true },
  ];
  const pullPolicy = o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {};
  const main: V1Container = {
    name: MAIN_CONTAINER,
    image: ownImage ? req.image : o.workerImage,
    command: ownImage ? [`${AGENT_DIR}/hodei`] : ['hodei'],
    args: ['worker', '--server', serverUrl],
    workingDir: WORK_DIR,
    env: [
      ...Object.entries(o.workerEnv).map(([k, v]) => ({ name: k, value: v })),
      { name: 'HODEI_WORKER_ID', value: req.workerId },
      { name: 'HOME', value: WORK_DIR },
      { name: 'TMPDIR', value: '/tmp' },
      // The token is only referenced: its value lives in the per-worker Secret, mounted as a file.
      { name: 'HODEI_WORKER_TOKEN_FILE', value: `${TOKEN_DIR}/${TOKEN_KEY}` },
    ],
    resources,
    securityContext: restrictedContainerSecurity(),
    volumeMounts: mounts,
    ...pullPolicy,
  };
  const init: V1Container[] = ownImage ? [{
    name: 'hodei-agent',
    image: o.workerImage,
    command: ['cp', '/usr/local/bin/hodei', `${AGENT_DIR}/hodei`],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    securityContext: restrictedContainerSecurity(),
    volumeMounts: [{ name: 'hodei-bin', mountPath: AGENT_DIR }],
    ...pullPolicy,
  }] : [];
  const pod: V1Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels, annotations: { 'hodei.io/secret': secret } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: o.terminationGracePeriodSeconds,
      ...(req.timeoutSeconds ? { activeDeadlineSeconds: req.timeoutSeconds + DEADLINE_MARGIN_SECONDS } : {}),
      ...(o.serviceAccount ? { serviceAccountName: o.serviceAccount } : {}),
      securityContext: {
        runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, fsGroup: RUN_AS, seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(o.imagePullSecrets.length ? { imagePullSecrets: o.imagePullSecrets.map((n) => ({ name: n })) } : {}),
      ...(Object.keys(o.nodeSelector).length ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations.length ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(init.length ? { initContainers: init } : {}),
      containers: [main],
      volumes: [
        { name: 'work', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
        ...(ownImage ? [{ name: 'hodei-bin', emptyDir: {} }] : []),
        // 0440: owned by root, group fsGroup (the agent's group) may read it.
        { name: TOKEN_VOLUME, secret: { secretName: secret, defaultMode: 0o440, items: [{ key: TOKEN_KEY, path: TOKEN_KEY }] } },
      ],
    },
  };
  const secretObj: V1Secret = {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: secret, namespace, labels },
    data: { [TOKEN_KEY]: Buffer.from(req.token, 'utf8').toString('base64') },
  };
  const requests = resources.requests ?? {};
  return {
    pod, secret: secretObj, namespace,
    requests: { cpuMillis: cpuMillis(requests.cpu), memoryBytes: memoryBytes(requests.memory), gpus: Number(requests[GPU_RESOURCE] ?? 0) },
  };
}

/** The token Secret as created: owned by its pod, so deleting the pod deletes it (no second delete). */
export function ownedBy(secret: V1Secret, pod: { name: string; uid: string }): V1Secret {
  return {
    ...secret,
    metadata: { ...secret.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid, blockOwnerDeletion: false, controller: false }] },
  };
}
