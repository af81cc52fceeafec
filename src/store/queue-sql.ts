// Queues, submission and the claim over the SqlEngine; the base class of SqlStore (sql-store.ts
// keeps jobs, logs, workers, pools and events). Multi-statement operations run in one transaction.
import { randomUUID } from 'node:crypto';
import { claimRank, JOB_STATES, type Job, type JobState } from '../domain/job.js';
import { parseQuantity, toMilli } from '../util/quantity.js';

const cpuToMillicores = (q: string): number => toMilli(q);
const memoryToBytes = (q: string): number => Math.round(parseQuantity(q));
import type { Queryable, SqlEngine } from './engine.js';
import { GET_JOB } from './queries.js';
import * as q from './queue-queries.js';
import type { ClaimedJob, QueueRecord, QueueSettings, QueueStats, QueueStore, SubmitJob, SubmitResult } from './queue-types.js';
import { isoOrNull, iso, jobState, jsonObject, num, numOrNull, str, stringMap, toJob } from './rows.js';
import type { Row } from './engine.js';

const transition = (state: string, at: Date, reason?: string | null): string =>
  JSON.stringify([reason ? { state, at: at.toISOString(), reason } : { state, at: at.toISOString() }]);

/** What a job's spec asks of the queue: due time, initial state, quota numbers. */
function placement(job: SubmitJob): { state: JobState; due: Date; queue: string; priority: number } {
  const { spec, createdAt } = job;
  const runAt = spec.runAt ? new Date(spec.runAt) : null;
  const due = runAt && runAt > createdAt ? runAt : createdAt;
  const state: JobState = spec.dependsOn?.length ? 'blocked' : due > createdAt ? 'scheduled' : 'queued';
  return { state, due, queue: spec.queue ?? 'default', priority: spec.priority ?? 0 };
}

export class QueueSql implements QueueStore {
  /** This store's id among the replicas: the payload of its NOTIFY hodei_jobs, so it ignores its own. */
  readonly instanceId = randomUUID();

  constructor(protected readonly db: SqlEngine) {}

  async submitJob(job: SubmitJob): Promise<SubmitResult> {
    // Without dependencies or an idempotency key a submission is one insert (plus, only when it
    // inserted nothing, the read of the singleton key's holder): no transaction round trips.
    if (!job.idempotency && !job.spec.dependsOn?.length) return this.submitIn(this.db, job);
    return this.db.transaction((tx) => this.submitIn(tx, job));
  }

  /** Submission inside a caller's transaction (a schedule run inserts its job with the run). */
  protected async submitIn(tx: Queryable, job: SubmitJob): Promise<SubmitResult> {
    const deps = [...new Set(job.spec.dependsOn ?? [])];
    if (deps.length > 0) {
      const found = new Set((await tx.query(q.JOB_STATES_OF, [deps])).map((r) => str(r, 'id')));
      const missing = deps.filter((d) => !found.has(d));
      if (missing.length > 0) return { outcome: 'missing_dependencies', missing };
    }
    const idem = job.idempotency;
    if (idem) {
      const owned = await tx.query(q.CLAIM_IDEMPOTENCY_KEY, [idem.key, idem.bodyHash, job.id, job.createdAt.toISOString(), idem.expiredBefore.toISOString()]);
      if (owned.length === 0) {
        const [prior] = await tx.query(q.GET_IDEMPOTENCY_KEY, [idem.key]);
        if (prior && str(prior, 'body_hash') !== idem.bodyHash) return { outcome: 'key_mismatch', jobId: str(prior, 'job_id') };
        const [original] = prior ? await tx.query(GET_JOB, [str(prior, 'job_id')]) : [];
        if (original) return { outcome: 'replayed', job: toJob(original) };
        // The original job was deleted (retention): this request makes a new one under the key.
        await tx.query(q.SET_IDEMPOTENCY_JOB, [idem.key, job.id]);
      }
    }
    const p = placement(job);
    const { secrets, ...rest } = job.spec;
    const spec = { ...rest, secretNames: Object.keys(secrets).sort() };
    const r = job.spec.resources;
    const rankAt = job.rankAt ?? claimRank(p.due, p.priority);
    const [row] = await tx.query(q.SUBMIT_JOB, [job.id, JSON.stringify(spec), JSON.stringify(secrets), JSON.stringify(job.spec.labels),
      job.createdAt.toISOString(), transition(p.state, job.createdAt), p.state, p.due.toISOString(), p.queue, p.priority,
      rankAt.toISOString(), r.cpu ? cpuToMillicores(r.cpu) : 0, r.memory ? memoryToBytes(r.memory) : 0, r.gpu ?? 0, job.spec.key ?? null, job.spec.ttlSecondsAfterFinished ?? null,
      this.instanceId]);
    if (!row) {
      const [holder] = job.spec.key ? await tx.query(q.ACTIVE_JOB_BY_KEY, [job.spec.key]) : [];
      if (!holder) throw new DuplicateJobIdError(job.id);
      if (idem) await tx.query(q.SET_IDEMPOTENCY_JOB, [idem.key, str(holder, 'id')]);
      return { outcome: 'deduplicated', job: toJob(holder) };
    }
    if (deps.length > 0) await tx.query(q.INSERT_DEPENDENCIES, [job.id, deps]);
    return { outcome: 'created', job: toJob(row) };
  }

  /** Oldest claim rank first. */
  async claimQueuedJobs(limit: number, now: Date, opts: { withoutImage?: boolean } = {}): Promise<Job[]> {
    if (!Number.isInteger(limit) || limit < 1) return [];
    return (await this.claim(limit, now, opts.withoutImage === true, null)).map((r) => toJob(r));
  }

  async assignQueuedJobs(workerIds: readonly string[], now: Date, opts: { withoutImage?: boolean } = {}): Promise<ClaimedJob[]> {
    if (workerIds.length === 0) return [];
    const rows = await this.claim(workerIds.length, now, opts.withoutImage === true, [...workerIds]);
    return rows.map((r) => ({ job: toJob(r), secrets: stringMap(r, 'secrets') }));
  }

  /** One call of hodei_claim_jobs (see CLAIM_JOBS), rows in claim rank order. */
  private async claim(limit: number, now: Date, withoutImage: boolean, workers: string[] | null): Promise<Row[]> {
    const rows = await this.db.query(q.CLAIM_JOBS, [now.toISOString(), limit, transition('provisioning', now),
      transition('assigned', now), withoutImage, workers]);
    return rows.sort(byRank);
  }

  async promoteWaitingJobs(now: Date): Promise<{ queued: Job[]; skipped: Job[] }> {
    const rows = await this.db.query(q.PROMOTE_WAITING, [now.toISOString(), now.toISOString()]);
    return {
      queued: rows.filter((r) => r.promotion === 'queued').map(toJob),
      skipped: rows.filter((r) => r.promotion === 'skipped').map(toJob),
    };
  }

  async dependenciesOf(jobId: string): Promise<Array<{ id: string; state: JobState | null }>> {
    return (await this.db.query(q.DEPENDENCIES_OF, [jobId])).map((r) => ({ id: str(r, 'id'), state: r.state === null ? null : jobState(r) }));
  }

  async getQueue(name: string): Promise<QueueRecord | null> {
    const [row] = await this.db.query(q.GET_QUEUE, [name]);
    return row ? toQueue(row) : null;
  }

  async listQueues(): Promise<QueueRecord[]> {
    return (await this.db.query(q.LIST_QUEUES)).map(toQueue);
  }

  async putQueue(name: string, s: QueueSettings, now: Date): Promise<{ queue: QueueRecord; wasPaused: boolean }> {
    const { cpu, memory, gpu } = s.quota;
    const [row] = await this.db.query(q.PUT_QUEUE, [name, s.concurrency, s.paused, JSON.stringify(s.quota),
      cpu === undefined ? null : cpuToMillicores(cpu), memory === undefined ? null : memoryToBytes(memory), gpu ?? null, now.toISOString()]);
    if (!row) throw new Error('store: queue upsert returned no row');
    return { queue: toQueue(row), wasPaused: row.was_paused === true };
  }

  async queueStats(now: Date, queue?: string): Promise<QueueStats[]> {
    const rows = queue === undefined
      ? await this.db.query(q.QUEUE_STATS, [now.toISOString()])
      : await this.db.query(q.ONE_QUEUE_STATS, [queue, now.toISOString()]);
    const by = new Map<string, QueueStats>();
    for (const r of rows) {
      const name = str(r, 'queue');
      let s = by.get(name);
      if (!s) {
        s = { queue: name, counts: Object.fromEntries(JOB_STATES.map((st) => [st, 0])) as Record<JobState, number>, oldestDueAt: null, lastStartedAt: null };
        by.set(name, s);
      }
      s.counts[jobState(r)] = num(r, 'n');
      s.oldestDueAt = earliest(s.oldestDueAt, isoOrNull(r, 'oldest_due'));
      const started = isoOrNull(r, 'last_started');
      if (started && (!s.lastStartedAt || started > s.lastStartedAt)) s.lastStartedAt = started;
    }
    return [...by.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  }
}

/** insertJob's id collision (the service's ids are random UUIDs; tests reuse ids on purpose). */
export class DuplicateJobIdError extends Error {
  constructor(readonly id: string) {
    super(`job '${id}' already exists`);
  }
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function byRank(a: Row, b: Row): number {
  const ra = iso(a, 'rank_at');
  const rb = iso(b, 'rank_at');
  return ra < rb ? -1 : ra > rb ? 1 : str(a, 'id') < str(b, 'id') ? -1 : 1;
}

function toQueue(r: Row): QueueRecord {
  const quota = jsonObject(r, 'quota');
  return {
    name: str(r, 'name'),
    concurrency: numOrNull(r, 'concurrency'),
    paused: r.paused === true,
    quota: {
      ...(typeof quota.cpu === 'string' ? { cpu: quota.cpu } : {}),
      ...(typeof quota.memory === 'string' ? { memory: quota.memory } : {}),
      ...(typeof quota.gpu === 'number' ? { gpu: quota.gpu } : {}),
    },
    pausedAt: isoOrNull(r, 'paused_at'),
    createdAt: iso(r, 'created_at'),
    updatedAt: iso(r, 'updated_at'),
  };
}
