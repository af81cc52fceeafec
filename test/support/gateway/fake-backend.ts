// An in-memory GatewayBackend for tests: one-time tokens, sessions, per-worker job queues, and a
// record of every call, so tests can check what the gateway passed on and in which order.
import { randomUUID } from 'node:crypto';
import type { Worker } from '../../../src/domain/worker.js';
import type { LogEntry } from '../../../src/store/store.js';
import type { AssignedJob, GatewayBackend, JobClaim, JobResult } from '../../../src/gateway/backend.js';

export interface Call { method: keyof GatewayBackend; workerId: string; jobId?: string }

export class FakeBackend implements GatewayBackend {
  readonly calls: Call[] = [];
  readonly workers = new Map<string, Worker>();
  readonly logs = new Map<string, LogEntry[]>();
  readonly results = new Map<string, JobResult>();
  readonly disconnected: string[] = [];
  /** Delay appendLogs by this many ms (a slow store) to exercise backpressure. */
  appendDelayMs = 0;
  /** Make the next N appendLogs calls throw (a store outage). */
  failAppends = 0;
  private readonly tokens = new Map<string, string>();
  private readonly sessions = new Map<string, string>();
  private readonly queues = new Map<string, AssignedJob[]>();
  /** `workerId job#attempt` for every attempt handed out (the store's job_attempt_workers). */
  private readonly held = new Set<string>();

  /** A provisioned worker and its one-time token. */
  addWorker(opts: { ephemeral?: boolean } = {}): { workerId: string; token: string } {
    const id = `w-${randomUUID().slice(0, 8)}`;
    const now = new Date().toISOString();
    this.workers.set(id, {
      id, providerId: 'test', state: 'provisioning', jobId: null, ephemeral: opts.ephemeral ?? true, handle: null,
      reason: null, createdAt: now, updatedAt: now, registeredAt: null, lastHeartbeatAt: null, pool: null,
    });
    const token = `tok-${randomUUID()}`;
    this.tokens.set(token, id);
    return { workerId: id, token };
  }

  enqueue(workerId: string, job: Partial<AssignedJob> & Pick<AssignedJob, 'command'>): AssignedJob {
    const full: AssignedJob = { jobId: `j-${randomUUID().slice(0, 8)}`, attempt: 1, args: [], env: {}, secretNames: [], ...job };
    this.held.add(`${workerId} ${full.jobId}#${full.attempt}`);
    const q = this.queues.get(workerId) ?? [];
    q.push(full);
    this.queues.set(workerId, q);
    return full;
  }

  logText(jobId: string, stream: LogEntry['stream'] = 'stdout', attempt = 1): string {
    return (this.logs.get(`${jobId}#${attempt}`) ?? []).filter((e) => e.stream === stream).map((e) => e.data).join('');
  }

  count(method: keyof GatewayBackend, workerId?: string): number {
    return this.calls.filter((c) => c.method === method && (workerId === undefined || c.workerId === workerId)).length;
  }

  async registerWorker(token: string): Promise<{ worker: Worker; sessionToken: string } | null> {
    const id = this.tokens.get(token);
    this.tokens.delete(token);
    const worker = id ? this.workers.get(id) : undefined;
    if (!worker) return null;
    const sessionToken = `sess-${randomUUID()}`;
    this.sessions.set(worker.id, sessionToken);
    this.calls.push({ method: 'registerWorker', workerId: worker.id });
    return { worker, sessionToken };
  }

  async resumeWorker(workerId: string, sessionToken: string): Promise<Worker | null> {
    if (this.sessions.get(workerId) !== sessionToken) return null;
    this.calls.push({ method: 'resumeWorker', workerId });
    return this.workers.get(workerId) ?? null;
  }

  async heartbeat(workerId: string): Promise<void> {
    this.calls.push({ method: 'heartbeat', workerId });
  }

  async nextJob(workerId: string): Promise<AssignedJob | null> {
    const job = this.queues.get(workerId)?.shift() ?? null;
    this.calls.push({ method: 'nextJob', workerId, ...(job ? { jobId: job.jobId } : {}) });
    return job;
  }

  async checkClaim(workerId: string, jobId: string, attempt: number): Promise<JobClaim> {
    if (this.held.has(`${workerId} ${jobId}#${attempt}`)) return 'ok';
    return [...this.held].some((h) => h.startsWith(`${workerId} ${jobId}#`)) ? 'wrong_attempt' : 'foreign_job';
  }

  async jobStarted(workerId: string, jobId: string, attempt: number): Promise<JobClaim> {
    const claim = await this.checkClaim(workerId, jobId, attempt);
    if (claim === 'ok') this.calls.push({ method: 'jobStarted', workerId, jobId });
    return claim;
  }

  async appendLogs(workerId: string, jobId: string, attempt: number, entries: readonly LogEntry[]): Promise<JobClaim> {
    const claim = await this.checkClaim(workerId, jobId, attempt);
    if (claim !== 'ok') return claim;
    if (this.appendDelayMs > 0) await new Promise((r) => setTimeout(r, this.appendDelayMs));
    if (this.failAppends > 0) {
      this.failAppends--;
      throw new Error('store unavailable');
    }
    this.calls.push({ method: 'appendLogs', workerId, jobId });
    const key = `${jobId}#${attempt}`;
    this.logs.set(key, [...(this.logs.get(key) ?? []), ...entries]);
    return 'ok';
  }

  async jobFinished(workerId: string, jobId: string, attempt: number, result: JobResult): Promise<JobClaim> {
    const claim = await this.checkClaim(workerId, jobId, attempt);
    if (claim !== 'ok') return claim;
    this.calls.push({ method: 'jobFinished', workerId, jobId });
    this.results.set(`${jobId}#${attempt}`, result);
    return 'ok';
  }

  workerDisconnected(workerId: string): void {
    this.calls.push({ method: 'workerDisconnected', workerId });
    this.disconnected.push(workerId);
  }
}
