import { describe, expect, it } from 'vitest';
import type { Job } from '../domain/job.js';
import { runExitCode, signalNumber } from './exit-codes.js';

const job = (o: Partial<Job>): Job => ({
  id: 'j', state: 'failed', spec: { command: 'x', args: [], env: {}, resources: {}, retries: 0, labels: {}, secretNames: [] },
  attempt: 1, workerId: null, exitCode: null, signal: null, reason: null, message: null, notBefore: '', createdAt: '', updatedAt: '',
  startedAt: null, finishedAt: null, transitions: [], ...o,
});

describe('runExitCode (docs/cli.md)', () => {
  it.each([
    [{ state: 'succeeded' as const, exitCode: 0 }, 0],
    [{ exitCode: 3, reason: 'NonZeroExit' }, 3],
    [{ exitCode: 300 }, 255],
    [{ signal: 'SIGKILL', reason: 'Signaled' }, 137],
    [{ signal: 'SIGTERM', reason: 'Signaled' }, 143],
    [{ reason: 'OOMKilled' }, 137],
    [{ state: 'timed_out' as const, signal: 'SIGTERM' }, 124],
    [{ state: 'cancelled' as const }, 130],
    [{ exitCode: 126, reason: 'CommandNotExecutable' }, 126],
    [{ exitCode: 127, reason: 'CommandNotFound' }, 127],
  ])('%j → %i', (o, code) => {
    expect(runExitCode(job(o)).code).toBe(code);
  });

  it('125 and a reason when the job never produced an exit code', () => {
    expect(runExitCode(job({ reason: 'ProvisioningFailed', message: 'no capacity' }))).toEqual({
      code: 125, hodeiFailure: 'the job never produced an exit code (ProvisioningFailed: no capacity)',
    });
    expect(runExitCode(job({ reason: 'WorkerLost' })).code).toBe(125);
  });

  it('knows signal numbers by name', () => {
    expect(signalNumber('SIGKILL')).toBe(9);
    expect(signalNumber('SIGNOPE')).toBeNull();
  });
});
