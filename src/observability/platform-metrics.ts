// Job- and worker-level metrics every provider gets (hodei_jobs_*, hodei_job_*), on an injected
// registry. Gauges are read from the store at scrape time so every replica reports the same truth.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { JOB_STATES, type Job } from '../domain/job.js';
import { REJECTION_REASONS, type RejectionReason } from '../gateway/rejections.js';
import type { JobService } from '../jobs/service.js';
import { QUEUE_WAIT_BUCKETS } from '../providers/kubernetes/slo-config.js';

/** Job run time shares the queue wait's bounds (0.1 s … 1 h). */
const DURATION_BUCKETS = [...QUEUE_WAIT_BUCKETS];

/** The SLO engine's window for the queue wait SLI (SliTracker), fed with the histogram's observations. */
export interface QueueWaitRecorder { recordQueueWait(seconds: number): void }

export class PlatformMetrics {
  readonly jobsFinished: Counter<'result'>;
  readonly jobDuration: Histogram<'result'>;
  readonly queueWait: Histogram<'queue'>;
  /** Worker messages and frames the gateway refused, by reason (see gateway/rejections.ts). */
  readonly workerRejections: Counter<'reason'>;

  constructor(registry: Registry, jobs: JobService, private readonly sli?: QueueWaitRecorder) {
    const store = jobs.store;
    new Gauge({
      name: 'hodei_jobs_queued', help: 'Jobs waiting for a worker (state queued).', registers: [registry],
      async collect() {
        this.set((await store.countJobsByState()).queued);
      },
    });
    new Gauge({
      name: 'hodei_jobs_by_state', help: 'Jobs by state.', labelNames: ['state'], registers: [registry],
      async collect() {
        const counts = await store.countJobsByState();
        for (const s of JOB_STATES) this.set({ state: s }, counts[s]);
      },
    });
    this.jobsFinished = new Counter({ name: 'hodei_jobs_finished_total', help: 'Jobs that reached a terminal state, by result.', labelNames: ['result'], registers: [registry] });
    this.jobDuration = new Histogram({ name: 'hodei_job_duration_seconds', help: 'Run time of the final attempt (running → end), by result.', labelNames: ['result'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.queueWait = new Histogram({ name: 'hodei_job_queue_wait_seconds', help: 'Time from queued to running, per attempt, by queue.', labelNames: ['queue'], buckets: [...QUEUE_WAIT_BUCKETS], registers: [registry] });
    this.queueWait.zero({ queue: 'default' });
    for (const r of ['succeeded', 'failed', 'cancelled', 'timed_out']) this.jobsFinished.inc({ result: r }, 0);
    this.workerRejections = new Counter({
      name: 'hodei_worker_protocol_rejections_total', labelNames: ['reason'], registers: [registry],
      help: 'Worker protocol messages and frames the gateway refused, by reason (a security signal: a well-behaved agent triggers none).',
    });
    for (const reason of REJECTION_REASONS) this.workerRejections.inc({ reason }, 0);
    jobs.bus.on('job.changed', (job) => this.observe(job));
  }

  workerRejected(reason: RejectionReason): void {
    this.workerRejections.inc({ reason });
  }

  private observe(job: Job): void {
    const last = job.transitions.at(-1);
    if (!last || last.state !== job.state) return;
    if (job.state === 'running') {
      const queued = [...job.transitions].reverse().find((t) => t.state === 'queued');
      if (!queued) return;
      const waited = seconds(queued.at, last.at);
      this.queueWait.observe({ queue: job.spec.queue ?? 'default' }, waited);
      this.sli?.recordQueueWait(waited);
    } else if (job.finishedAt) {
      this.jobsFinished.inc({ result: job.state });
      if (job.startedAt) this.jobDuration.observe({ result: job.state }, seconds(job.startedAt, job.finishedAt));
    }
  }
}

const seconds = (from: string, to: string): number => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
