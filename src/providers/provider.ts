// The one interface the scheduler uses to get workers. Only providers touch processes or Kubernetes.
import type { EventEmitter } from 'node:events';
import type { JobEgress, JobResources } from '../domain/job.js';

/** A destination a job asks to reach (the Kubernetes provider admits it against its network policy). */
export type EgressRequest = JobEgress;

export interface ProvisionRequest {
  workerId: string;
  /** The job this ephemeral worker is for; null for a pooled worker. */
  jobId: string | null;
  /** One-time registration token; the provider must pass it to the agent as HODEI_WORKER_TOKEN (or a file named by HODEI_WORKER_TOKEN_FILE) without logging it. */
  token: string;
  /** URL the agent connects back to. */
  serverUrl: string;
  image?: string;
  resources: JobResources;
  timeoutSeconds?: number;
  labels: Record<string, string>;
  /** Egress the job asks for; a provider enforcing network policy refuses what it does not allow. */
  egress?: EgressRequest[];
}

export interface ProviderWorker {
  workerId: string;
  /** pid or pod name. */
  handle: string;
  /** What the provider sees right now. */
  phase: 'starting' | 'running' | 'exited' | 'failed';
  jobId: string | null;
}

export type HealthStatus = 'Healthy' | 'Degraded' | 'Unhealthy';

export interface HealthCheck {
  name: string;
  status: HealthStatus;
  message: string;
  durationMs: number;
}

/** A named check for the control plane's probes (run by health-runner.ts: in parallel, each bounded by its timeout). */
export interface ProviderHealthCheck {
  name: string;
  probes: ReadonlyArray<'liveness' | 'readiness' | 'startup'>;
  run: () => Promise<{ status: HealthStatus; message: string }>;
  timeoutMs?: number;
}

export interface HealthCheckResult {
  status: HealthStatus;
  details: Record<string, string>;
  checks: HealthCheck[];
  durationMs: number;
  checkedAt: string;
}

/** Events a provider emits; the scheduler listens instead of the provider calling back into it. */
export interface ProviderEvents {
  /** The worker's process/pod ended. `reason` is from the provider's fixed failure vocabulary. */
  'worker.exited': [ev: { workerId: string; exitCode: number | null; reason: string | null; message?: string }];
  /** Provisioning failed after the provider accepted the request (pull failure, unschedulable...). */
  'worker.failed': [ev: { workerId: string; reason: string; message: string }];
}

/** Job fields a provider may be unable to honour. */
export type UnsupportedJobField = 'image' | 'resources.gpu' | 'resources.cpu' | 'resources.memory';

export interface WorkerProvider {
  /** Provider kind: "local", "kubernetes". */
  readonly kind: string;
  /** Provider instance id, recorded on each worker. */
  readonly id: string;
  readonly events: EventEmitter<ProviderEvents>;
  /**
   * Job fields this provider cannot honour (`image`, `resources.gpu`...): a submission that sets one
   * is accepted with a warning (Warning header + `warnings`), never silently ignored.
   */
  readonly unsupportedFields?: readonly UnsupportedJobField[];
  /** Prepares the provider (namespace, informers). Throws with a clear message when misconfigured. */
  start(): Promise<void>;
  /**
   * Starts one worker agent. Resolves once the provider has accepted the request (process
   * spawned, pod created) and returns its handle; registration happens later over the gateway.
   * Rejects when the worker cannot be started at all (the scheduler then retries or fails the job).
   */
  provision(req: ProvisionRequest): Promise<{ handle: string }>;
  /**
   * The provider's own named health checks, served among the control plane's on /livez, /readyz
   * and /startupz (each bounded by its timeout). Without it, `health()` is one readiness check.
   */
  healthChecks?(): ProviderHealthCheck[];
  /**
   * Told when the agent of one of this provider's workers registered with the control plane: the
   * last step of its startup (providers that measure startup, like Kubernetes, use it).
   */
  markAgentRegistered?(workerId: string, at?: Date): void;
  /**
   * The control plane stopped waiting for this worker's agent to register. A provider that knows
   * why (the pod waits on an image pull, cannot be scheduled...) fails the worker with that reason
   * (counted and reported like any worker failure) and returns it; undefined when it knows nothing.
   */
  failUnregistered?(workerId: string): { reason: string; message: string } | undefined;
  /** Stops a worker. Idempotent: terminating an unknown or finished worker resolves. */
  terminate(workerId: string, opts?: { graceMs?: number }): Promise<void>;
  /** Workers this provider currently knows of (the reconciler compares them with the store). */
  list(): Promise<ProviderWorker[]>;
  /** The provider's own health (liveness of its loops, reachability of its backend). */
  health(): Promise<HealthCheckResult>;
  /** Stops loops; with `terminateWorkers` also stops all workers. */
  stop(opts?: { terminateWorkers?: boolean }): Promise<void>;
}
