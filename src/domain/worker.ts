// Worker states and their state machine. No I/O here.

export const WORKER_STATES = ['provisioning', 'ready', 'busy', 'draining', 'terminated', 'failed'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

/** States of a worker that may still run or take a job. */
export const LIVE_WORKER_STATES: readonly WorkerState[] = ['provisioning', 'ready', 'busy', 'draining'];

const TRANSITIONS: Record<WorkerState, readonly WorkerState[]> = {
  provisioning: ['ready', 'busy', 'terminated', 'failed'],
  ready: ['busy', 'draining', 'terminated', 'failed'],
  busy: ['ready', 'draining', 'terminated', 'failed'],
  draining: ['terminated', 'failed'],
  terminated: [],
  failed: [],
};

export function canWorkerTransition(from: WorkerState, to: WorkerState): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface Worker {
  id: string;
  /** Provider instance id (e.g. "local", "kubernetes"). */
  providerId: string;
  state: WorkerState;
  /** Job this worker was provisioned for or is running; null for an idle pooled worker. */
  jobId: string | null;
  /** true: one job then exit (default); false: pooled and reused. */
  ephemeral: boolean;
  /** Provider-specific handle: pid, pod name. Never used as a metric label. */
  handle: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  registeredAt: string | null;
  lastHeartbeatAt: string | null;
  /** The worker pool it registered through (Kubernetes pools); null for provisioned workers. */
  pool: string | null;
}
