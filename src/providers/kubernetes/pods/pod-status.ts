// Pure reading of a pod's status: the worker phase it means, and — when it failed or is stuck —
// the reason from the provider's fixed vocabulary. Pods here are plain JSON from list/watch.

import type { FailureReason, PodState } from '../vocabulary.js';

export { FAILURE_REASONS, type FailureReason, type PodState } from '../vocabulary.js';

export interface ContainerStateJson {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; message?: string };
}
export interface ContainerStatusJson {
  name: string;
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerStateJson;
  lastState?: ContainerStateJson;
}
export interface PodJson {
  metadata: {
    name: string; namespace: string; uid: string; resourceVersion?: string; creationTimestamp?: string;
    deletionTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string>;
  };
  spec?: { containers?: { name: string; image?: string; resources?: { requests?: Record<string, string> } }[]; nodeName?: string };
  status?: {
    phase?: string; reason?: string; message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatusJson[];
    initContainerStatuses?: ContainerStatusJson[];
  };
}

/**
 * The fields of a pod the provider reads (PodJson), copied out of what the API sent: the informer
 * keeps this, not the whole object (managed fields, volumes, env, probes...), so its memory per
 * tracked pod is a fraction (bench/memory.mjs measures it).
 */
export function slimPod(raw: PodJson): PodJson {
  const m = raw.metadata;
  const pick = <T extends object>(o: T | undefined, keys: readonly (keyof T)[]): T | undefined => {
    if (!o) return undefined;
    const out: Partial<T> = {};
    for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
    return out as T;
  };
  const containerStatus = (c: ContainerStatusJson): ContainerStatusJson =>
    pick(c, ['name', 'imageID', 'ready', 'restartCount', 'state', 'lastState']) as ContainerStatusJson;
  const st = raw.status;
  return {
    metadata: pick(m, ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'labels', 'annotations']) as PodJson['metadata'],
    ...(raw.spec ? { spec: {
      ...(raw.spec.nodeName !== undefined ? { nodeName: raw.spec.nodeName } : {}),
      ...(raw.spec.containers ? { containers: raw.spec.containers.map((c) => ({
        name: c.name, ...(c.image !== undefined ? { image: c.image } : {}),
        ...(c.resources?.requests ? { resources: { requests: c.resources.requests } } : {}),
      })) } : {}),
    } } : {}),
    ...(st ? { status: {
      ...pick(st, ['phase', 'reason', 'message']),
      ...(st.conditions ? { conditions: st.conditions.map((c) => pick(c, ['type', 'status', 'reason', 'message']) as NonNullable<typeof st.conditions>[number]) } : {}),
      ...(st.containerStatuses ? { containerStatuses: st.containerStatuses.map(containerStatus) } : {}),
      ...(st.initContainerStatuses ? { initContainerStatuses: st.initContainerStatuses.map(containerStatus) } : {}),
    } } : {}),
  };
}

/** What the provider reports for a pod: ProviderWorker's phases. */
export type WorkerPhase = 'starting' | 'running' | 'exited' | 'failed';

/** The pod's state for counting (pods_by_state). */
export function podState(p: PodJson): PodState {
  if (p.metadata.deletionTimestamp && !isFinished(p)) return 'Terminating';
  const ph = p.status?.phase;
  return ph === 'Pending' || ph === 'Running' || ph === 'Succeeded' || ph === 'Failed' ? ph : ph ? 'Unknown' : 'Pending';
}

export function isFinished(p: PodJson): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

export function condition(p: PodJson, type: string): { status: string; reason?: string; message?: string } | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

export function mainContainer(p: PodJson): ContainerStatusJson | undefined {
  const name = p.spec?.containers?.[0]?.name;
  const all = p.status?.containerStatuses ?? [];
  return all.find((c) => c.name === name) ?? all[0];
}

export interface Classified {
  phase: WorkerPhase;
  /** Set for failures (phase failed) and for a Pending pod whose wait has a known cause. */
  reason?: FailureReason;
  message?: string;
  exitCode?: number | null;
}

const WAITING_FAILURES: Record<string, FailureReason> = {
  ImagePullBackOff: 'ImagePullBackOff', ErrImagePull: 'ErrImagePull', InvalidImageName: 'InvalidImageName',
  ErrImageNeverPull: 'ErrImagePull', CrashLoopBackOff: 'CrashLoopBackOff', CreateContainerConfigError: 'CreateContainerConfigError',
};

/** Waits a container does not get out of by itself: its worker fails after a short grace, not the pending timeout. */
export const START_FAILURES: ReadonlySet<FailureReason> = new Set<FailureReason>(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError']);

/**
 * Why an agent that never registered did not: the pod's own state when it is known (a pull, an
 * unschedulable or still-Pending pod); AgentNeverRegistered only for a container that did run.
 */
export function registrationFailure(p: PodJson): { reason: FailureReason; message: string } {
  const w = pendingReason(p);
  if (w) return w;
  const main = mainContainer(p);
  if (main?.state?.running || main?.state?.terminated) {
    return { reason: 'AgentNeverRegistered', message: `pod ${p.metadata.name} is ${podState(p)} but its agent never registered` };
  }
  const waiting = main?.state?.waiting?.reason;
  return { reason: 'PodPending', message: `pod ${p.metadata.name} still ${podState(p)}${waiting ? ` (${waiting})` : ''}` };
}

/** Why a pod still waits: unschedulable, image pull trouble, crash loop — or undefined (just slow). */
export function pendingReason(p: PodJson): { reason: FailureReason; message: string } | undefined {
  const sched = condition(p, 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') return { reason: 'Unschedulable', message: sched.message ?? 'pod cannot be scheduled' };
  for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const w = c.state?.waiting;
    const r = w?.reason ? WAITING_FAILURES[w.reason] : undefined;
    if (r) return { reason: r, message: `container ${c.name}: ${w?.reason}${w?.message ? `: ${w.message}` : ''}` };
  }
  return undefined;
}

/** The worker phase a pod means and, when it failed, why. */
export function classifyPod(p: PodJson, agentRegistered: boolean): Classified {
  const phase = p.status?.phase;
  if (phase === 'Succeeded') return { phase: 'exited', exitCode: mainContainer(p)?.state?.terminated?.exitCode ?? 0 };
  if (phase === 'Failed') return classifyFailed(p, agentRegistered);
  if (phase === 'Running') {
    const w = pendingReason(p);
    return w?.reason === 'CrashLoopBackOff' ? { phase: 'running', ...w } : { phase: 'running' };
  }
  const w = pendingReason(p);
  return w ? { phase: 'starting', ...w } : { phase: 'starting' };
}

function classifyFailed(p: PodJson, agentRegistered: boolean): Classified {
  const status = p.status ?? {};
  const term = mainContainer(p)?.state?.terminated;
  const exitCode = term?.exitCode ?? null;
  const msg = status.message ?? term?.message ?? term?.reason ?? 'pod failed';
  if (status.reason === 'Evicted') return { phase: 'failed', reason: 'Evicted', message: msg, exitCode };
  if (status.reason === 'DeadlineExceeded') return { phase: 'failed', reason: 'DeadlineExceeded', message: msg, exitCode };
  const oom = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].find((c) => c.state?.terminated?.reason === 'OOMKilled');
  if (oom) return { phase: 'failed', reason: 'OOMKilled', message: `container ${oom.name} was OOMKilled`, exitCode };
  const waiting = pendingReason(p);
  if (waiting) return { phase: 'failed', ...waiting, exitCode };
  if (!agentRegistered) return { phase: 'failed', reason: 'AgentNeverRegistered', message: `agent exited (code ${exitCode ?? 'none'}) before registering`, exitCode };
  // The agent ran and exited non-zero: an ordinary exit the scheduler judges by the job's state.
  return { phase: 'exited', exitCode, message: msg };
}
