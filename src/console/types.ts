// Shapes of the /v1 answers the console reads. Job, worker and event types come from the server's
// own pure modules, so a change there breaks the console's type check, not the page.
export type { Job, JobState, JobTransition } from '../domain/job.js';
export type { Worker, WorkerState } from '../domain/worker.js';
export type { HodeiEvent } from '../observability/events/types.js';

export type HealthStatus = 'Healthy' | 'Degraded' | 'Unhealthy';
export interface HealthCheck { name: string; status: HealthStatus; message: string; durationMs: number }
export interface ProbeResult { status: HealthStatus; checks: HealthCheck[]; durationMs: number; checkedAt: string }
export interface HealthReport { liveness: ProbeResult; readiness: ProbeResult; startup: ProbeResult }

export interface SloStatus {
  slo: string; unit?: 'seconds' | 'ratio'; target: number; current: number; compliant: boolean; total: number; bad: number;
  allowedBadRatio: number; burnRate: number; errorBudgetRemaining: number;
}
export interface SloReport { evaluatedAt: string; windowSeconds: number; compliant: boolean; slos: SloStatus[] }

export interface StatsSample {
  at: string; activeWorkers: number; jobsQueued: number; jobsRunning: number;
  workersCreatedPerMinute: number; podCreationP95Seconds: number; apiErrorRate: number;
}
export interface StatsSeries { intervalSeconds: number; windowSeconds: number; samples: StatsSample[] }

export interface PoolView {
  name: string; namespace: string;
  spec: Record<string, unknown>;
  status: { desiredReplicas: number | null; currentReplicas: number | null; readyWorkers: number; lastScaleTime: string | null };
}
