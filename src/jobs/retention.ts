// Retention: every replica sweeps finished jobs past their ttlSecondsAfterFinished or the server's
// retention (with their logs and history), stale idempotency keys and old schedule runs. Each
// delete is one short statement of at most `batchSize` rows that skips rows another replica holds,
// with a yield between batches, so a backlog never holds up queueing; afterwards the space of the
// deleted rows is made reusable, so the store stays the same size under a steady load.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../observability/logger.js';
import type { JobService } from './service.js';
import { IDEMPOTENCY_TTL_MS } from './submission.js';

export interface RetentionOptions {
  succeededMs: number;
  failedMs: number;
  intervalMs: number;
  batchSize: number;
}

export interface SweepReport { ttl: number; retention: number; idempotencyKeys: number; scheduleRuns: number }

/** Most batches of one kind per sweep: the rest waits for the next sweep. */
const MAX_BATCHES = 1000;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly jobs: JobService,
    private readonly o: RetentionOptions,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.sweep().catch((err: unknown) => this.log.warn({ err }, 'retention sweep failed'))
        .finally(() => { if (!this.stopped) this.timer = setTimeout(loop, this.o.intervalMs).unref(); });
    };
    this.timer = setTimeout(loop, this.o.intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep; what it deleted. */
  async sweep(): Promise<SweepReport> {
    const store = this.jobs.store;
    const now = this.now();
    const report: SweepReport = { ttl: 0, retention: 0, idempotencyKeys: 0, scheduleRuns: 0 };
    const batches = async (step: () => Promise<number>): Promise<number> => {
      let total = 0;
      for (let i = 0; i < MAX_BATCHES && !this.stopped; i++) {
        const n = await step();
        total += n;
        if (n < this.o.batchSize) break;
        await yieldToLoop();
      }
      return total;
    };
    const opts = {
      now, limit: this.o.batchSize,
      succeededBefore: new Date(now.getTime() - this.o.succeededMs), failedBefore: new Date(now.getTime() - this.o.failedMs),
    };
    await batches(async () => {
      const r = await store.sweepFinishedJobs(opts);
      if (r.ttl > 0) this.jobs.bus.emit('jobs.deleted', { reason: 'ttl', count: r.ttl });
      if (r.retention > 0) this.jobs.bus.emit('jobs.deleted', { reason: 'retention', count: r.retention });
      report.ttl += r.ttl;
      report.retention += r.retention;
      return r.ttl + r.retention;
    });
    report.idempotencyKeys = await batches(() => store.pruneIdempotencyKeys(new Date(now.getTime() - IDEMPOTENCY_TTL_MS), this.o.batchSize));
    // A schedule's runs are kept as long as its longest-kept jobs (the latest run always).
    const runsBefore = new Date(now.getTime() - Math.max(this.o.succeededMs, this.o.failedMs));
    report.scheduleRuns = await batches(() => store.pruneScheduleRuns(runsBefore, this.o.batchSize));
    if (report.ttl + report.retention + report.idempotencyKeys + report.scheduleRuns > 0) {
      this.log.info(report, 'retention sweep deleted rows');
      await store.reclaimSpace();
    }
    return report;
  }
}
