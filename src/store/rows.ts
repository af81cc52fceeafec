// Driver rows → domain types. The two drivers differ in small ways (pg returns count/bigint as
// strings, PGlite as numbers), so every field is read through a checking accessor.
import { JOB_STATES, type Job, type JobState, type JobTransition } from '../domain/job.js';
import { WORKER_STATES, type Worker, type WorkerState } from '../domain/worker.js';
import type { Row } from './engine.js';
import type { PoolRecord, StoredEvent, StoredLogEntry } from './store.js';

function fail(field: string, v: unknown): never {
  throw new Error(`store: unexpected value for ${field}: ${JSON.stringify(v)}`);
}

export function str(r: Row, f: string): string {
  const v = r[f];
  return typeof v === 'string' ? v : fail(f, v);
}

export function strOrNull(r: Row, f: string): string | null {
  return r[f] === null || r[f] === undefined ? null : str(r, f);
}

export function num(r: Row, f: string): number {
  const v = r[f];
  const n = typeof v === 'number' ? v : typeof v === 'string' || typeof v === 'bigint' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fail(f, v);
}

export function numOrNull(r: Row, f: string): number | null {
  return r[f] === null || r[f] === undefined ? null : num(r, f);
}

export function iso(r: Row, f: string): string {
  const v = r[f];
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return new Date(v).toISOString();
  return fail(f, v);
}

export function isoOrNull(r: Row, f: string): string | null {
  return r[f] === null || r[f] === undefined ? null : iso(r, f);
}

function bool(r: Row, f: string): boolean {
  const v = r[f];
  return typeof v === 'boolean' ? v : fail(f, v);
}

function oneOf<T extends string>(values: readonly T[], r: Row, f: string): T {
  const v = r[f];
  return values.find((x) => x === v) ?? fail(f, v);
}

export function jsonObject(r: Row, f: string): Record<string, unknown> {
  const v = r[f];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(f, v);
}

export function stringMap(r: Row, f: string): Record<string, string> {
  const o = jsonObject(r, f);
  for (const v of Object.values(o)) if (typeof v !== 'string') fail(f, o);
  return o as Record<string, string>;
}

export const jobState = (r: Row, f = 'state'): JobState => oneOf(JOB_STATES, r, f);

function transitions(r: Row): JobTransition[] {
  const v = r.transitions;
  if (!Array.isArray(v)) return fail('transitions', v);
  return v.map((t: unknown): JobTransition => {
    const o: Row = typeof t === 'object' && t !== null ? (t as Row) : fail('transitions[]', t);
    const reason = strOrNull(o, 'reason');
    const signal = strOrNull(o, 'signal');
    return { state: jobState(o), at: str(o, 'at'), ...(reason === null ? {} : { reason }), ...(signal === null ? {} : { signal }) };
  });
}

export function toJob(r: Row): Job {
  // The spec column is written only by insertJob from a validated JobSpec minus its secrets.
  const spec = jsonObject(r, 'spec') as Job['spec'];
  const history = transitions(r);
  return {
    id: str(r, 'id'),
    state: jobState(r),
    spec,
    attempt: num(r, 'attempt'),
    workerId: strOrNull(r, 'worker_id'),
    exitCode: numOrNull(r, 'exit_code'),
    signal: history.at(-1)?.signal ?? null,
    reason: strOrNull(r, 'reason'),
    message: strOrNull(r, 'message'),
    notBefore: iso(r, 'not_before'),
    createdAt: iso(r, 'created_at'),
    updatedAt: iso(r, 'updated_at'),
    startedAt: isoOrNull(r, 'started_at'),
    finishedAt: isoOrNull(r, 'finished_at'),
    transitions: history,
  };
}

export const workerState = (r: Row): WorkerState => oneOf(WORKER_STATES, r, 'state');

export function toWorker(r: Row): Worker {
  return {
    id: str(r, 'id'),
    providerId: str(r, 'provider_id'),
    state: workerState(r),
    jobId: strOrNull(r, 'job_id'),
    ephemeral: bool(r, 'ephemeral'),
    handle: strOrNull(r, 'handle'),
    reason: strOrNull(r, 'reason'),
    createdAt: iso(r, 'created_at'),
    updatedAt: iso(r, 'updated_at'),
    registeredAt: isoOrNull(r, 'registered_at'),
    lastHeartbeatAt: isoOrNull(r, 'last_heartbeat_at'),
    pool: strOrNull(r, 'pool'),
  };
}

const STREAMS = ['stdout', 'stderr', 'system'] as const;

export function toLogEntry(r: Row): StoredLogEntry {
  return {
    seq: num(r, 'seq'),
    attempt: num(r, 'attempt'),
    stream: oneOf(STREAMS, r, 'stream'),
    data: str(r, 'data'),
    at: iso(r, 'at'),
  };
}

export function toPool(r: Row): PoolRecord {
  return {
    name: str(r, 'name'), providerId: str(r, 'provider_id'), spec: jsonObject(r, 'spec'),
    createdAt: iso(r, 'created_at'), updatedAt: iso(r, 'updated_at'),
  };
}

export function toEvent(r: Row): StoredEvent {
  return {
    id: num(r, 'id'),
    timestamp: iso(r, 'timestamp'),
    eventType: str(r, 'event_type'),
    provider: str(r, 'provider'),
    workerId: strOrNull(r, 'worker_id'),
    jobId: strOrNull(r, 'job_id'),
    namespace: strOrNull(r, 'namespace'),
    durationMs: numOrNull(r, 'duration_ms'),
    success: bool(r, 'success'),
    details: jsonObject(r, 'details'),
  };
}
