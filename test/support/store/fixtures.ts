// Small builders for store-backed tests.
import { createHash } from 'node:crypto';
import type { JobSpec } from '../../../src/domain/job.js';
import type { NewJob, NewWorker } from '../../../src/store/store.js';

export function jobSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return { command: 'true', args: [], env: {}, resources: {}, retries: 0, labels: {}, secrets: {}, ...overrides };
}

/** A job created `secondsAfterEpoch` seconds after 2026-01-01T00:00:00Z (deterministic order). */
export function newJob(id: string, secondsAfterEpoch = 0, spec: Partial<JobSpec> = {}): NewJob {
  return { id, spec: jobSpec(spec), createdAt: at(secondsAfterEpoch) };
}

export function at(secondsAfterEpoch: number): Date {
  return new Date(Date.UTC(2026, 0, 1) + secondsAfterEpoch * 1000);
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function newWorker(id: string, overrides: Partial<NewWorker> = {}): NewWorker {
  return { id, providerId: 'local', jobId: null, ephemeral: true, tokenHash: sha256(`token-${id}`), createdAt: at(0), ...overrides };
}
