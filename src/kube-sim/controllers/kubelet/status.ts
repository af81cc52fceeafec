// Pod status as the kubelet computes it from its containers: phase, the five conditions and
// container statuses, worded like a real node (ContainersNotReady, PodCompleted, ...).
import { randomBytes } from 'node:crypto';
import { rfc3339 } from '../../store/index.js';
import { setCondition, type Container, type ContainerState, type ContainerStatus, type PodCondition, type PodStatus } from '../pod-types.js';
import { imageId } from './images.js';
import type { ExitResult } from './process.js';

export const containerId = (): string => `containerd://${randomBytes(32).toString('hex')}`;

export function newContainerStatus(c: Container, waitingReason: string): ContainerStatus {
  return { name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: waitingReason } }, lastState: {} };
}

export function runningState(cs: ContainerStatus, c: Container, now: number, ready: boolean): void {
  cs.state = { running: { startedAt: rfc3339(now) } };
  cs.imageID = imageId(c.image);
  cs.containerID = containerId();
  cs.started = true;
  cs.ready = ready;
}

export function terminatedState(cs: ContainerStatus, r: ExitResult, now: number): ContainerState {
  const startedAt = cs.state.running?.startedAt;
  cs.state = {
    terminated: {
      exitCode: r.exitCode, reason: r.reason, finishedAt: rfc3339(now),
      ...(startedAt ? { startedAt } : {}), ...(cs.containerID ? { containerID: cs.containerID } : {}),
      ...(r.message ? { message: r.message } : {}), ...(r.signal !== undefined && r.reason !== 'OOMKilled' && r.reason !== 'Completed' ? { signal: r.signal } : {}),
    },
  };
  cs.ready = false;
  cs.started = false;
  return cs.state;
}

const cond = (type: string, ok: boolean, now: number, reason?: string, message?: string): PodCondition => ({
  type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: rfc3339(now),
  ...(!ok && reason ? { reason } : {}), ...(!ok && message ? { message } : {}),
});

/**
 * Recompute phase and conditions from the container statuses. `finished`: every container is
 * terminated for good (no restart coming). Phase and reason set by the caller (DeadlineExceeded)
 * are kept once terminal.
 */
export function refreshPod(status: PodStatus, now: number, finished: boolean): void {
  const init = status.initContainerStatuses ?? [];
  const main = status.containerStatuses ?? [];
  const initialized = init.every((c) => c.state.terminated?.exitCode === 0);
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (!terminal) {
    if (finished) {
      const initFailed = init.some((c) => c.state.terminated && c.state.terminated.exitCode !== 0);
      status.phase = !initFailed && main.every((c) => c.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    } else if (initialized && main.some((c) => c.state.running || c.lastState.terminated)) status.phase = 'Running';
    else status.phase = 'Pending';
  }
  const done = status.phase === 'Succeeded' || status.phase === 'Failed';
  const notReady = main.filter((c) => !c.ready).map((c) => c.name);
  const incomplete = init.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.name);
  let conds = status.conditions ?? [];
  conds = setCondition(conds, cond('PodReadyToStartContainers', true, now));
  conds = setCondition(conds, cond('Initialized', initialized, now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`));
  const readyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const readyMsg = done ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  conds = setCondition(conds, cond('Ready', !done && notReady.length === 0, now, readyReason, readyMsg));
  conds = setCondition(conds, cond('ContainersReady', !done && notReady.length === 0, now, readyReason, readyMsg));
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  status.conditions = conds.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
