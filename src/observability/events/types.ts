// Typed platform events with namespaced names (like graphile-worker's WorkerEventMap). The wire and
// file shape is exactly the observability guide's JSON: timestamp, event_type, provider, worker_id,
// namespace, duration_ms, success, details (a job id, when there is one, is `details.job_id`).

type Resources = { cpu_request?: string; memory_request?: string; gpu_request?: number };
type Scale = { pool: string; from: number; to: number; reason?: string };
type SloChange = { slo: string; target: number; current: number; message: string; window_seconds: number };

/** Details carried by each event type. Extra keys are allowed; secrets are scrubbed on record. */
export interface EventDetailsMap {
  'worker.created': Resources & {
    image?: string; job_id?: string; handle?: string; pod?: string;
    /** Kubernetes: milliseconds per startup phase that was observed. */
    startup_ms?: Partial<Record<'scheduling' | 'image_pull' | 'container_start' | 'agent_registration', number>>;
  };
  'worker.deleted': { job_id?: string; reason?: string; exit_code?: number | null; pod?: string };
  'worker.failed': { reason: string; message?: string; job_id?: string; pod?: string };
  'hpa.created': { pool: string; min: number; max: number };
  'hpa.updated': { pool: string; min?: number; max?: number; target?: string };
  'hpa.deleted': { pool: string };
  'hpa.scale_up': Scale;
  'hpa.scale_down': Scale;
  /** `reason: 'Recreated'` when it had been deleted outside Hodei under a running control plane. */
  'namespace.created': { labels?: Record<string, string>; reason?: string; message?: string };
  'namespace.deleted': { reason?: string };
  'api.request.failed': { verb: string; resource: string; endpoint?: string; code: number | 'timeout' | null; retry: number | boolean; error?: string };
  'api.request.summary': { window_seconds: number; requests: number; errors: number; by_verb: Record<string, number>; by_code: Record<string, number> };
  'network_policy.violation': { source: string; destination?: string; port?: number; protocol?: string; job_id?: string; policy?: string };
  'resource.allocated': { cpu_millicores: number; memory_bytes: number; gpus: number; job_id?: string };
  'resource.released': { cpu_millicores: number; memory_bytes: number; gpus: number; job_id?: string };
  'slo.violated': SloChange;
  'slo.recovered': SloChange;
  /** A probe's overall status changed; `failing` names the checks that are not Healthy. */
  'health.changed': { probe: string; from: string; to: string; failing: string[] };
  /**
   * The worker gateway refused a message or frame (a security event): why, and where — never the
   * message itself. `field`/`rule` for invalid messages, `job_id`/`attempt` for a job it does not hold.
   */
  'worker.rejected': { reason: string; message_type: string | null; field?: string; rule?: string; job_id?: string; attempt?: number; remote: string };
  'queue.paused': { queue: string; queued: number };
  'schedule.triggered': { schedule: string; tick: string; job_id: string };
  'schedule.missed': { schedule: string; tick: string; reason: string };
  'job.deduplicated': { job_id: string; cause: string };
  'job.skipped': { job_id: string; reason: string; message: string };
}

export type EventType = keyof EventDetailsMap;

export const EVENT_TYPES = [
  'worker.created', 'worker.deleted', 'worker.failed', 'hpa.created', 'hpa.updated', 'hpa.deleted',
  'hpa.scale_up', 'hpa.scale_down', 'namespace.created', 'namespace.deleted', 'api.request.failed',
  'api.request.summary', 'network_policy.violation', 'resource.allocated', 'resource.released',
  'slo.violated', 'slo.recovered', 'health.changed', 'worker.rejected',
  'queue.paused', 'schedule.triggered', 'schedule.missed', 'job.deduplicated', 'job.skipped',
] as const satisfies readonly EventType[];

/** Event types whose `success` defaults to false. */
const FAILURES: ReadonlySet<string> = new Set(['worker.failed', 'api.request.failed', 'network_policy.violation', 'slo.violated', 'worker.rejected', 'schedule.missed', 'job.skipped']);
export const defaultSuccess = (type: string): boolean => !FAILURES.has(type);

/** The spec's event shape, as served by /v1/events, streamed, and written to the file sink. */
export interface HodeiEvent {
  /** ISO-8601 UTC. */
  timestamp: string;
  event_type: string;
  provider: string;
  worker_id: string | null;
  namespace: string | null;
  duration_ms: number | null;
  success: boolean;
  details: Record<string, unknown>;
}

/** The keys of HodeiEvent in the spec's order (serialisation and tests). */
export const EVENT_KEYS = ['timestamp', 'event_type', 'provider', 'worker_id', 'namespace', 'duration_ms', 'success', 'details'] as const;

export interface RecordOptions<T extends EventType> {
  workerId?: string | null;
  /** Stored in its own column (queryable) and shown as details.job_id. */
  jobId?: string | null;
  namespace?: string | null;
  durationMs?: number | null;
  /** @defaultValue false for *.failed, *.violation, slo.violated; true otherwise */
  success?: boolean;
  details?: EventDetailsMap[T];
  /** Overrides the recorder's provider name. */
  provider?: string;
  timestamp?: Date;
  /** Values that must not appear anywhere in the event (e.g. this worker's one-time token). */
  secrets?: readonly string[];
}

/** What producers depend on (the SLO engine, provider instrumentation, P1's provider). */
export interface EventSource {
  record<T extends EventType>(type: T, opts?: RecordOptions<T>): HodeiEvent;
}

/**
 * Where recorded events go besides the store: a JSON-lines file, Kubernetes Events on the pod, ...
 * `write` gets batches in record order; a rejection is logged and counted, never retried forever.
 */
export interface EventSink {
  readonly name: string;
  write(events: readonly HodeiEvent[]): Promise<void>;
  close?(): Promise<void>;
}
