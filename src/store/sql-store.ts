// The one Store implementation, over the SqlEngine abstraction: identical SQL on PGlite and on
// PostgreSQL. Every method is a single statement (migrate aside), hence atomic on its own.
import {
  JOB_STATES, assertTransition, isTerminal, type Job, type JobState,
} from '../domain/job.js';
import { canWorkerTransition, type Worker, type WorkerState } from '../domain/worker.js';
import { ConflictError, HodeiError, NotFoundError, ValidationError } from '../errors/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Row, SqlEngine } from './engine.js';
import { migrate } from './migrate.js';
import { DuplicateJobIdError } from './queue-sql.js';
import { RetentionSql } from './retention-sql.js';
import * as q from './queries.js';
import { jobState, jsonObject, num, stringMap, toEvent, toJob, toLogEntry, toPool, toWorker } from './rows.js';
import type {
  AttemptHolding, EventQuery, JobListQuery, JobPage, JobTransitionPatch, LogEntry, NewEvent, NewJob, NewPool, NewWorker, PoolRecord, Store,
  StoredEvent, StoredLogEntry, WorkerAssignment, WorkerPatch,
} from './store.js';

/** SQLSTATE of a driver error (both drivers expose `.code`). */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function checkLimit(field: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ValidationError(`${field}: must be an integer from 1 to ${max}`, { field });
  }
}

const transition = (state: string, at: Date, reason?: string | null, signal?: string | null): string =>
  JSON.stringify([{ state, at: at.toISOString(), ...(reason ? { reason } : {}), ...(signal ? { signal } : {}) }]);

export class SqlStore extends RetentionSql implements Store {
  constructor(db: SqlEngine) {
    super(db);
  }

  get engine(): 'pglite' | 'postgres' {
    return this.db.kind;
  }

  async migrate(): Promise<void> {
    await migrate(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ── jobs ─────────────────────────────────────────────────────────────────────────────────

  /** submitJob without keys: a duplicate id or singleton key is a ConflictError. */
  async insertJob(job: NewJob): Promise<Job> {
    let r;
    try {
      r = await this.submitJob(job);
    } catch (err) {
      if (err instanceof DuplicateJobIdError) throw new ConflictError(err.message, { id: job.id });
      throw err;
    }
    if (r.outcome === 'created') return r.job;
    if (r.outcome === 'missing_dependencies') throw new ValidationError(`dependsOn: no job ${r.missing.join(', ')}`, { field: 'dependsOn', missing: r.missing });
    throw new ConflictError(`job key '${job.spec.key ?? ''}' is held by an unfinished job`, { id: job.id });
  }

  async getJob(id: string): Promise<Job | null> {
    const [row] = await this.db.query(q.GET_JOB, [id]);
    return row ? toJob(row) : null;
  }

  /** Throws NotFoundError for an unknown job rather than pretending it has no secrets. */
  async getJobSecrets(id: string): Promise<Record<string, string>> {
    const [row] = await this.db.query(q.GET_JOB_SECRETS, [id]);
    if (!row) throw new NotFoundError('job', id);
    return stringMap(row, 'secrets');
  }

  async listJobs(query: JobListQuery): Promise<JobPage> {
    checkLimit('limit', query.limit, 1000);
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const sql = query.order === 'desc' ? q.LIST_JOBS_DESC : q.LIST_JOBS_ASC;
    // One extra row tells whether another page exists without a count query.
    const states = query.states ? [...query.states] : query.state ? [query.state] : null;
    const rows = await this.db.query(sql, [states, JSON.stringify(query.labels ?? {}),
      after?.createdAt ?? null, after?.id ?? null, query.limit + 1]);
    const jobs = rows.slice(0, query.limit).map(toJob);
    const last = jobs[jobs.length - 1];
    return { jobs, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  /**
   * Every state in `from` must be a legal source of `to`, else IllegalTransitionError is thrown
   * (a caller passing an impossible source has a bug; filtering would hide it). The transition
   * is recorded with `opts.reason`, falling back to `patch.reason`.
   */
  async transitionJob(id: string, from: readonly JobState[], to: JobState, patch: JobTransitionPatch = {},
    opts: { attempt?: number; reason?: string; now?: Date; workerId?: string; releaseWorker?: boolean } = {}): Promise<Job | null> {
    for (const f of from) assertTransition(f, to);
    if (from.length === 0) return null;
    const now = opts.now ?? new Date();
    const { signal, ...rest } = patch;
    const p = { ...rest, notBefore: patch.notBefore?.toISOString() };
    const [row] = await this.db.query(q.TRANSITION_JOB, [id, [...from], opts.attempt ?? null, to,
      now.toISOString(), transition(to, now, opts.reason ?? patch.reason, signal), JSON.stringify(p), isTerminal(to), opts.workerId ?? null,
      opts.releaseWorker === true && opts.workerId !== undefined, this.instanceId]);
    return row ? toJob(row) : null;
  }

  async releaseWorker(workerId: string, jobId: string, now: Date = new Date()): Promise<boolean> {
    return (await this.db.query(q.RELEASE_WORKER, [jobId, workerId, now.toISOString()])).length > 0;
  }

  async workerAssignment(workerId: string): Promise<WorkerAssignment | null> {
    const [row] = await this.db.query(q.WORKER_ASSIGNMENT, [workerId]);
    if (!row) return null;
    const job = row.job === null || row.job === undefined ? null : toJob(jsonObject(row, 'job') as Row);
    return { worker: toWorker(row), job, secrets: job ? stringMap(row, 'job_secrets') : {} };
  }

  async onJobsQueued(fn: () => void): Promise<() => Promise<void>> {
    if (!this.db.listen) return async () => undefined;
    return this.db.listen('hodei_jobs', (payload) => { if (payload !== this.instanceId) fn(); });
  }

  async jobsInStates(states: readonly JobState[]): Promise<Job[]> {
    if (states.length === 0) return [];
    return (await this.db.query(q.JOBS_IN_STATES, [[...states]])).map(toJob);
  }

  async countJobsByState(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const r of await this.db.query(q.COUNT_JOBS_BY_STATE)) counts[jobState(r)] = num(r, 'n');
    return counts;
  }

  /**
   * PostgreSQL text cannot hold NUL, and jsonb refuses lone UTF-16 surrogates; process output may
   * carry either (a hostile agent certainly can): each becomes U+FFFD, so output is never refused.
   */
  async appendLogs(jobId: string, attempt: number, entries: readonly LogEntry[], batchSeq?: number,
    opts: { workerId?: string; maxBytes?: number | null } = {}): Promise<boolean> {
    if (entries.length === 0 && opts.workerId === undefined) return true;
    const rows = entries.map((e) => ({ stream: e.stream, data: storableText(e.data) }));
    let row;
    try {
      [row] = await this.db.query(q.APPEND_LOGS, [jobId, attempt, JSON.stringify(rows), batchSeq ?? null, opts.workerId ?? null, opts.maxBytes ?? null]);
    } catch (err) {
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw new NotFoundError('job', jobId);
      throw err;
    }
    if (row?.found === false) throw new NotFoundError('job', jobId);
    return row?.owned === true;
  }

  async readLogs(jobId: string, afterSeq: number, limit: number): Promise<StoredLogEntry[]> {
    checkLimit('limit', limit, 100_000);
    return (await this.db.query(q.READ_LOGS, [jobId, afterSeq, limit])).map(toLogEntry);
  }

  // ── workers ──────────────────────────────────────────────────────────────────────────────

  async insertWorker(w: NewWorker): Promise<Worker> {
    try {
      const rows = await this.db.query(q.INSERT_WORKER,
        [w.id, w.providerId, w.jobId, w.ephemeral, w.tokenHash, w.createdAt.toISOString(), w.pool ?? null]);
      return toWorker(rows[0] ?? {});
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError(`worker '${w.id}' or its token already exists`, { id: w.id });
      throw err;
    }
  }

  async getWorker(id: string): Promise<Worker | null> {
    const [row] = await this.db.query(q.GET_WORKER, [id]);
    return row ? toWorker(row) : null;
  }

  async listWorkers(opts: { states?: readonly WorkerState[]; providerId?: string } = {}): Promise<Worker[]> {
    const states = opts.states ? [...opts.states] : null;
    return (await this.db.query(q.LIST_WORKERS, [states, opts.providerId ?? null])).map(toWorker);
  }

  /** Like transitionJob: an illegal source state in `from` throws (code ILLEGAL_TRANSITION). */
  async transitionWorker(id: string, from: readonly WorkerState[], to: WorkerState, patch: WorkerPatch = {},
    now: Date = new Date()): Promise<Worker | null> {
    for (const f of from) {
      if (!canWorkerTransition(f, to)) {
        throw new HodeiError('ILLEGAL_TRANSITION', `illegal worker transition ${f} → ${to}`, { from: f, to });
      }
    }
    if (from.length === 0) return null;
    const [row] = await this.db.query(q.TRANSITION_WORKER, [id, [...from], to, workerPatch(patch), now.toISOString()]);
    return row ? toWorker(row) : null;
  }

  async updateWorker(id: string, patch: WorkerPatch, now: Date = new Date()): Promise<Worker | null> {
    const [row] = await this.db.query(q.UPDATE_WORKER, [id, workerPatch(patch), now.toISOString()]);
    return row ? toWorker(row) : null;
  }

  /** Also refuses a token of a worker that is already terminated or failed. */
  async consumeWorkerToken(tokenHash: string, now: Date): Promise<Worker | null> {
    const [row] = await this.db.query(q.CONSUME_WORKER_TOKEN, [tokenHash, now.toISOString()]);
    return row ? toWorker(row) : null;
  }

  async registerWorker(tokenHash: string, sessionHash: string, now: Date): Promise<Worker | null> {
    const [row] = await this.db.query(q.REGISTER_WORKER, [tokenHash, now.toISOString(), sessionHash]);
    return row ? toWorker(row) : null;
  }

  async findWorkerBySession(workerId: string, sessionHash: string): Promise<Worker | null> {
    const [row] = await this.db.query(q.FIND_WORKER_BY_SESSION, [workerId, sessionHash]);
    return row ? toWorker(row) : null;
  }

  async attemptHolder(workerId: string, jobId: string, attempt: number): Promise<AttemptHolding> {
    const [row] = await this.db.query(q.ATTEMPT_HOLDER, [workerId, jobId, attempt]);
    return row?.holds === true ? 'holds' : row?.holds_other === true ? 'other_attempt' : 'none';
  }

  // ── pools ────────────────────────────────────────────────────────────────────────────────

  async createPool(p: NewPool): Promise<PoolRecord> {
    try {
      const rows = await this.db.query(q.INSERT_POOL, [p.name, p.providerId, JSON.stringify(p.spec), p.tokenHash, p.createdAt.toISOString()]);
      return toPool(rows[0] ?? {});
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError(`pool '${p.name}' already exists`, { name: p.name });
      throw err;
    }
  }

  async getPool(name: string): Promise<PoolRecord | null> {
    const [row] = await this.db.query(q.GET_POOL, [name]);
    return row ? toPool(row) : null;
  }

  async listPools(): Promise<PoolRecord[]> {
    return (await this.db.query(q.LIST_POOLS)).map(toPool);
  }

  async updatePool(name: string, spec: Record<string, unknown>, now: Date): Promise<PoolRecord | null> {
    const [row] = await this.db.query(q.UPDATE_POOL, [name, JSON.stringify(spec), now.toISOString()]);
    return row ? toPool(row) : null;
  }

  async setPoolToken(name: string, tokenHash: string, now: Date): Promise<PoolRecord | null> {
    const [row] = await this.db.query(q.SET_POOL_TOKEN, [name, tokenHash, now.toISOString()]);
    return row ? toPool(row) : null;
  }

  async deletePool(name: string): Promise<boolean> {
    return (await this.db.query(q.DELETE_POOL, [name])).length > 0;
  }

  async getPoolByTokenHash(tokenHash: string): Promise<PoolRecord | null> {
    const [row] = await this.db.query(q.GET_POOL_BY_TOKEN, [tokenHash]);
    return row ? toPool(row) : null;
  }

  async countPoolWorkers(pool: string, states: readonly WorkerState[]): Promise<number> {
    if (states.length === 0) return 0;
    const [row] = await this.db.query(q.COUNT_POOL_WORKERS, [pool, [...states]]);
    return row ? num(row, 'n') : 0;
  }

  // ── events ───────────────────────────────────────────────────────────────────────────────

  async insertEvents(rows: readonly NewEvent[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() }));
    await this.db.query(q.INSERT_EVENTS, [JSON.stringify(json)]);
  }

  async queryEvents(query: EventQuery): Promise<StoredEvent[]> {
    checkLimit('limit', query.limit, 100_000);
    const rows = await this.db.query(q.QUERY_EVENTS, [query.type ?? null, query.workerId ?? null,
      query.jobId ?? null, query.since?.toISOString() ?? null, query.limit]);
    return rows.map(toEvent);
  }

  async pruneEvents(opts: { olderThan?: Date; keepMax?: number }): Promise<number> {
    const keep = opts.keepMax;
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) {
      throw new ValidationError('keepMax: must be a non-negative integer', { field: 'keepMax' });
    }
    const [row] = await this.db.query(q.PRUNE_EVENTS, [opts.olderThan?.toISOString() ?? null, keep ?? null]);
    return row ? num(row, 'n') : 0;
  }
}

/** NUL and lone surrogates (which PostgreSQL text/jsonb cannot hold) as U+FFFD. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storableText = (s: string): string => s.replace(UNSTORABLE, '\uFFFD');

function workerPatch(p: WorkerPatch): string {
  return JSON.stringify({
    ...p,
    registeredAt: p.registeredAt?.toISOString(),
    lastHeartbeatAt: p.lastHeartbeatAt?.toISOString(),
  });
}

/** Wraps an engine in the store and applies pending migrations unless told not to. */
export async function openSqlStore(engine: SqlEngine, opts: { migrate?: boolean } = {}): Promise<Store> {
  const store = new SqlStore(engine);
  if (opts.migrate ?? true) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
