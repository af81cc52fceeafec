// What the gateway remembers about a worker across its reconnects (within this process): the job
// it was handed and the last log batch stored. This makes a resend after a reconnect harmless and
// lets a job.assign lost with a dropped connection be delivered again. Entries expire, so a worker
// that never comes back does not keep its job (and the job's secrets) in memory.
import type { AssignedJob } from './backend.js';
import type { JobRef } from './protocol.js';

interface Entry {
  ref: JobRef;
  /** null when the job was adopted on resume (assigned by an earlier control-plane process). */
  job: AssignedJob | null;
  seq: number;
  touchedAt: number;
}

const sameRef = (e: Entry | undefined, ref: JobRef): e is Entry =>
  e !== undefined && e.ref.jobId === ref.jobId && e.ref.attempt === ref.attempt;

export class WorkerMemory {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs = 15 * 60_000, private readonly now: () => number = Date.now) {}

  /** The worker was handed this job. */
  assigned(workerId: string, job: AssignedJob): void {
    this.sweep();
    this.entries.set(workerId, { ref: { jobId: job.jobId, attempt: job.attempt }, job, seq: 0, touchedAt: this.now() });
  }

  /** The job handed to this worker whose result is not stored yet, if any. */
  pendingJob(workerId: string): AssignedJob | undefined {
    return this.entries.get(workerId)?.job ?? undefined;
  }

  /** Highest log batch stored for this job attempt on this worker (0: none known). */
  lastSeq(workerId: string, ref: JobRef): number {
    const e = this.entries.get(workerId);
    return sameRef(e, ref) ? e.seq : 0;
  }

  stored(workerId: string, ref: JobRef, seq: number): void {
    const e = this.entries.get(workerId);
    if (sameRef(e, ref)) {
      e.seq = seq;
      e.touchedAt = this.now();
    }
  }

  /** After a resume that names a job this process did not assign (it restarted): track it from here. */
  adopt(workerId: string, ref: JobRef): void {
    if (sameRef(this.entries.get(workerId), ref)) return;
    this.sweep();
    this.entries.set(workerId, { ref: { ...ref }, job: null, seq: 0, touchedAt: this.now() });
  }

  /** The job's result is stored: nothing to remember. */
  finished(workerId: string): void {
    this.entries.delete(workerId);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [id, e] of this.entries) if (e.touchedAt < cutoff) this.entries.delete(id);
  }
}
