// Submission rules beyond the JSON Schema: defaults, runAt, the idempotency key's body hash, and
// what each store outcome means to the caller.
import { createHash } from 'node:crypto';
import type { Job, JobSpec } from '../domain/job.js';
import { HodeiError, ValidationError } from '../errors/errors.js';
import type { SubmitResult } from '../store/store.js';

/** How long an Idempotency-Key answers with its original job (the IETF draft suggests 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export interface SubmitOptions {
  /** Idempotency-Key header value; with it, `body` is the request body it came with. */
  idempotencyKey?: string;
  body?: unknown;
}

/** What happened to a submission: a new job (201) or an existing one (200). */
export interface Submitted {
  job: Job;
  created: boolean;
  /** Why an existing job answered: an idempotent replay or an unfinished job holding the key. */
  existing?: 'idempotent_replay' | 'singleton_key';
}

/** Checks what the schema cannot and fills the defaults the store relies on. */
export function normalizeSpec(spec: JobSpec): JobSpec {
  if (spec.runAt !== undefined && Number.isNaN(Date.parse(spec.runAt))) {
    throw new ValidationError(`runAt: must be an RFC 3339 date-time, got '${spec.runAt.slice(0, 40)}'`, { field: 'runAt', rule: 'RFC 3339 date-time' });
  }
  const b = spec.retryPolicy?.backoff;
  if (b?.initialSeconds !== undefined && b.maxSeconds !== undefined && b.maxSeconds < b.initialSeconds) {
    throw new ValidationError('retryPolicy.backoff.maxSeconds: must be at least initialSeconds', { field: 'retryPolicy.backoff.maxSeconds', rule: '>= initialSeconds' });
  }
  // One number of retries for everyone who reads `retries` (the CLI's "attempt n of m").
  const retries = spec.retryPolicy ? spec.retryPolicy.limit : spec.retries;
  return { ...spec, retries, queue: spec.queue ?? 'default', priority: spec.priority ?? 0 };
}

/** Canonical JSON (sorted keys) so the same body always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export const bodyHash = (body: unknown): string => createHash('sha256').update(canonical(body)).digest('hex');

/** The store's outcome as the caller sees it; refusals become errors naming the field. */
export function toSubmitted(r: SubmitResult, key?: string): Submitted {
  switch (r.outcome) {
    case 'created': return { job: r.job, created: true };
    case 'replayed': return { job: r.job, created: false, existing: 'idempotent_replay' };
    case 'deduplicated': return { job: r.job, created: false, existing: 'singleton_key' };
    case 'missing_dependencies':
      throw new ValidationError(`dependsOn: no job ${r.missing.slice(0, 10).join(', ')}`, { field: 'dependsOn', rule: 'every dependency must exist', missing: r.missing.slice(0, 10) });
    case 'key_mismatch':
      throw new HodeiError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key '${key ?? ''}' was used with a different request body`, { field: 'Idempotency-Key', jobId: r.jobId });
  }
}
