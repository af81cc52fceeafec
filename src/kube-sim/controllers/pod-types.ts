// The parts of Pod/Node/Deployment objects the controllers read, narrowed from the store's plain
// JSON. Objects are still plain JSON: these types only describe what we touch.
import type { KubeObject, LabelSelectorSpec, OwnerReference } from '../store/index.js';

export interface EnvVarSource {
  secretKeyRef?: { name: string; key: string; optional?: boolean };
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  fieldRef?: { fieldPath: string; apiVersion?: string };
}
export interface EnvVar { name: string; value?: string; valueFrom?: EnvVarSource }
export interface EnvFromSource {
  prefix?: string;
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
}

export interface ResourceRequirements { requests?: Record<string, string>; limits?: Record<string, string> }

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  workingDir?: string;
  resources?: ResourceRequirements;
  volumeMounts?: { name: string; mountPath: string }[];
  imagePullPolicy?: string;
}

export interface Toleration { key?: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: string }

export interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: NodeSelectorRequirement[] }[] } } };
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  activeDeadlineSeconds?: number;
  terminationGracePeriodSeconds?: number;
  schedulerName?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; emptyDir?: Record<string, unknown>; [k: string]: unknown }[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime: string | null;
  lastTransitionTime: string;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string; containerID?: string; signal?: number };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  reason?: string;
  message?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  qosClass?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodTemplate { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec }

export interface WorkloadSpec { replicas?: number; selector: LabelSelectorSpec; template: PodTemplate; paused?: boolean }

export interface Workload extends KubeObject {
  spec: WorkloadSpec;
  status?: Record<string, unknown>;
}

export const isTerminalPod = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export const controllerOf = (o: KubeObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller);

export const podKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** Condition list helper: replace the condition of a type, keeping lastTransitionTime when the status is unchanged. */
export function setCondition<C extends { type: string; status: string; lastTransitionTime?: string }>(list: C[], next: C): C[] {
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const merged = old && old.status === next.status && old.lastTransitionTime ? { ...next, lastTransitionTime: old.lastTransitionTime } : next;
  if (i >= 0) { const out = [...list]; out[i] = merged; return out; }
  return [...list, merged];
}
