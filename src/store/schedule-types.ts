// Store types of schedules (cron → jobs) and their runs.
import type { JobSpec, JobState } from '../domain/job.js';
import type { SubmitJob } from './queue-types.js';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

/** A schedule as submitted (Kubernetes CronJob fields); `job` is the job every run gets. */
export interface ScheduleSpec {
  cron: string;
  /** IANA time zone the cron is read in. @defaultValue "UTC" */
  timezone: string;
  job: Omit<JobSpec, 'secrets'>;
  /** Runs are made from this template (the latest version unless one is pinned); `job` then shows the latest render. */
  template?: { name: string; version?: number; params: Record<string, string> };
  concurrencyPolicy: ConcurrencyPolicy;
  /** A tick not started within this many seconds is recorded missed; null: only the latest late tick runs. */
  startingDeadlineSeconds: number | null;
  suspend: boolean;
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
}

export interface ScheduleRecord {
  name: string;
  spec: ScheduleSpec;
  lastTick: string;
  createdAt: string;
  updatedAt: string;
}

export interface ScheduleRun {
  schedule: string;
  tick: string;
  result: 'triggered' | 'missed';
  jobId: string | null;
  /** State of the run's job now (null: missed, or the job was deleted). */
  jobState: JobState | null;
  reason: string | null;
  recordedAt: string;
}

export interface ScheduleStore {
  /** ConflictError when a schedule of that name exists. */
  createSchedule(name: string, spec: ScheduleSpec, now: Date): Promise<ScheduleRecord>;
  getSchedule(name: string): Promise<ScheduleRecord | null>;
  listSchedules(): Promise<ScheduleRecord[]>;
  /** Replaces the spec; null when the schedule does not exist. */
  updateSchedule(name: string, spec: ScheduleSpec, now: Date): Promise<ScheduleRecord | null>;
  deleteSchedule(name: string): Promise<boolean>;
  /**
   * Records the run of one tick, with its job when `job` is given, and moves the schedule's last
   * tick forward, in one transaction. The (schedule, tick) row is unique: when another replica
   * recorded the tick first nothing happens and `recorded` is false.
   */
  recordScheduleRun(name: string, tick: Date, run: { job: SubmitJob } | { missedReason: string }, now: Date):
    Promise<{ recorded: boolean; jobId: string | null }>;
  /** Newest first. */
  scheduleRuns(name: string, limit: number): Promise<ScheduleRun[]>;
  /**
   * Deletes finished jobs carrying all of `labels` beyond the newest `keepSucceeded` succeeded
   * and `keepFailed` other finished ones; returns how many were deleted.
   */
  pruneFinishedJobs(labels: Record<string, string>, keepSucceeded: number, keepFailed: number): Promise<number>;
}
