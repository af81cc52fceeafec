// Store types of retention (deleting finished jobs, old keys and runs) and of job templates.
import type { JobSpec } from '../domain/job.js';

export interface SweepOptions {
  now: Date;
  /** Succeeded jobs without a ttl that finished before this are deleted. */
  succeededBefore: Date;
  /** Other finished jobs (failed, cancelled, timed_out, skipped) without a ttl, likewise. */
  failedBefore: Date;
  /** Most jobs deleted by this call (one short statement, so queueing never waits long). */
  limit: number;
}

/** Why a job was deleted by a sweep: its own ttlSecondsAfterFinished or the server's retention. */
export interface SweepResult { ttl: number; retention: number }

export type DeleteJobResult = 'deleted' | 'not_found' | 'unfinished' | 'needed_by_blocked';

export interface TemplateParameter {
  name: string;
  default?: string;
  required?: boolean;
  /** A regular expression the value must match (whole value). */
  pattern?: string;
  description?: string;
}

/** What a template holds: a job whose strings may say {{param}}, and the parameters. */
export interface TemplateSpec {
  job: Omit<JobSpec, 'secrets' | 'template'>;
  parameters: TemplateParameter[];
  description?: string;
}

export interface TemplateRecord extends TemplateSpec {
  name: string;
  version: number;
  createdAt: string;
}

export interface RetentionStore {
  /** Deletes up to `limit` finished jobs past their ttl or the retention, with their logs; never a dependency of a blocked job. */
  sweepFinishedJobs(o: SweepOptions): Promise<SweepResult>;
  /** Deletes a finished job with its logs (a job still needed by a blocked one stays). */
  deleteJob(id: string): Promise<DeleteJobResult>;
  /** Deletes up to `limit` idempotency keys created before `before`; returns how many. */
  pruneIdempotencyKeys(before: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` schedule runs ticked before `before`, never a schedule's latest; returns how many. */
  pruneScheduleRuns(before: Date, limit: number): Promise<number>;
  /** Lets the engine reuse the space of deleted rows (plain VACUUM of the swept tables). */
  reclaimSpace(): Promise<void>;
  /** Rows and bytes (tables with their indexes and TOAST) of the tables retention keeps bounded. */
  storeFootprint(): Promise<{ rows: Record<string, number>; bytes: number }>;
}

export interface TemplateStore {
  /** Saves a new version of the template (1 for a new name); concurrent saves get distinct versions. */
  saveTemplate(name: string, spec: TemplateSpec, now: Date): Promise<TemplateRecord>;
  /** The latest version, or the given one; null when there is none. */
  getTemplate(name: string, version?: number): Promise<TemplateRecord | null>;
  /** The latest version of every template. */
  listTemplates(): Promise<TemplateRecord[]>;
  /** Every version of one template, newest first. */
  templateVersions(name: string): Promise<TemplateRecord[]>;
  /** Deletes every version; false when there was none. */
  deleteTemplate(name: string): Promise<boolean>;
}
