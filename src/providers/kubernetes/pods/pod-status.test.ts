import { describe, expect, it } from 'vitest';
import { classifyPod, pendingReason, podState, type PodJson } from './pod-status.js';

const pod = (status: PodJson['status'], extra: Partial<PodJson['metadata']> = {}): PodJson => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u', ...extra },
  spec: { containers: [{ name: 'worker' }] },
  status,
});
const waiting = (reason: string) => ({ containerStatuses: [{ name: 'worker', state: { waiting: { reason, message: 'm' } } }] });
const terminated = (exitCode: number, reason = 'Error') => ({ containerStatuses: [{ name: 'worker', state: { terminated: { exitCode, reason } } }] });

describe('pod classification', () => {
  it('maps pod phases to worker phases', () => {
    expect(classifyPod(pod({ phase: 'Pending' }), false)).toEqual({ phase: 'starting' });
    expect(classifyPod(pod({ phase: 'Running' }), true)).toEqual({ phase: 'running' });
    expect(classifyPod(pod({ phase: 'Succeeded', ...terminated(0, 'Completed') }), true)).toEqual({ phase: 'exited', exitCode: 0 });
    expect(classifyPod(pod({ phase: 'Failed', ...terminated(1) }), true)).toMatchObject({ phase: 'exited', exitCode: 1 });
  });

  it('names why a pod waits: Unschedulable, ErrImagePull, ImagePullBackOff, CrashLoopBackOff', () => {
    const unsched = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes: Insufficient cpu' }] });
    expect(pendingReason(unsched)).toEqual({ reason: 'Unschedulable', message: '0/4 nodes: Insufficient cpu' });
    expect(classifyPod(pod({ phase: 'Pending', ...waiting('ErrImagePull') }), false)).toMatchObject({ phase: 'starting', reason: 'ErrImagePull' });
    expect(classifyPod(pod({ phase: 'Pending', ...waiting('ImagePullBackOff') }), false)).toMatchObject({ reason: 'ImagePullBackOff' });
    expect(classifyPod(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'hodei-agent', state: { waiting: { reason: 'ImagePullBackOff' } } }] }), false))
      .toMatchObject({ reason: 'ImagePullBackOff' });
    expect(classifyPod(pod({ phase: 'Running', ...waiting('CrashLoopBackOff') }), true)).toMatchObject({ phase: 'running', reason: 'CrashLoopBackOff' });
    expect(pendingReason(pod({ phase: 'Pending', ...waiting('ContainerCreating') }))).toBeUndefined();
  });

  it('classifies failures: OOMKilled, Evicted, DeadlineExceeded, AgentNeverRegistered', () => {
    expect(classifyPod(pod({ phase: 'Failed', ...terminated(137, 'OOMKilled') }), true)).toMatchObject({ phase: 'failed', reason: 'OOMKilled', exitCode: 137 });
    expect(classifyPod(pod({ phase: 'Failed', reason: 'Evicted', message: 'node low on memory' }), true)).toMatchObject({ phase: 'failed', reason: 'Evicted', message: 'node low on memory' });
    expect(classifyPod(pod({ phase: 'Failed', reason: 'DeadlineExceeded' }), true)).toMatchObject({ phase: 'failed', reason: 'DeadlineExceeded' });
    expect(classifyPod(pod({ phase: 'Failed', ...terminated(1) }), false)).toMatchObject({ phase: 'failed', reason: 'AgentNeverRegistered' });
  });

  it('counts Terminating separately from the phase while a pod is being deleted', () => {
    expect(podState(pod({ phase: 'Running' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe('Terminating');
    expect(podState(pod({ phase: 'Succeeded' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe('Succeeded');
    expect(podState(pod(undefined))).toBe('Pending');
    expect(podState(pod({ phase: 'Weird' }))).toBe('Unknown');
  });
});
