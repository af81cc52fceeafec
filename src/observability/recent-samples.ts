// A ring buffer of the control plane's own recent numbers (jobs, workers, SLIs), sampled every few
// seconds and served by GET /v1/stats, so the console draws the last 15 minutes without a
// Prometheus server (the embedded default has none). Bounded: windowSeconds / interval samples.
import type { JobService } from '../jobs/service.js';
import type { WorkerService } from '../jobs/workers.js';
import type { HodeiEvent } from './events/types.js';
import type { SloEngine } from './slo-engine.js';

export interface StatsSample {
  /** ISO-8601 time of the sample. */
  at: string;
  /** Workers not yet terminated or failed. */
  activeWorkers: number;
  jobsQueued: number;
  /** Jobs provisioning, assigned or running. */
  jobsRunning: number;
  /** worker.created events since the previous sample, per minute. */
  workersCreatedPerMinute: number;
  /** P95 of pod creation over the SLO window (0 with no data, or with a non-Kubernetes provider). */
  podCreationP95Seconds: number;
  /** Failed / total Kubernetes API requests over the SLO window. */
  apiErrorRate: number;
}

export type SampleReading = Omit<StatsSample, 'at' | 'workersCreatedPerMinute'>;

export interface RecentSamplesOptions {
  /** Reads the current numbers; a rejection skips that sample (logged by the caller's `onError`). */
  read: () => Promise<SampleReading>;
  /** Live events, to count worker.created between samples. */
  subscribe?: (fn: (e: HodeiEvent) => void) => () => void;
  /** @defaultValue 5000 */
  intervalMs?: number;
  /** @defaultValue 900 (15 minutes) */
  windowSeconds?: number;
  onError?: (err: unknown) => void;
  now?: () => number;
}

export interface StatsSeries {
  intervalSeconds: number;
  windowSeconds: number;
  /** Oldest first. */
  samples: StatsSample[];
}

export class RecentSamples {
  private readonly ring: StatsSample[] = [];
  private readonly capacity: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private created = 0;
  private lastAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe = (): void => undefined;
  private pending: Promise<void> | undefined;

  constructor(private readonly o: RecentSamplesOptions) {
    this.intervalMs = o.intervalMs ?? 5000;
    this.now = o.now ?? Date.now;
    this.capacity = Math.max(1, Math.ceil(((o.windowSeconds ?? 900) * 1000) / this.intervalMs));
  }

  start(): void {
    if (this.timer) return;
    this.unsubscribe = this.o.subscribe?.((e) => { if (e.event_type === 'worker.created') this.created++; }) ?? (() => undefined);
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe();
    await this.pending;
  }

  /** Takes one sample now (the timer calls this; tests may too). Overlapping calls share one read. */
  sample(): Promise<void> {
    this.pending ??= this.take().finally(() => { this.pending = undefined; });
    return this.pending;
  }

  series(): StatsSeries {
    return { intervalSeconds: this.intervalMs / 1000, windowSeconds: (this.capacity * this.intervalMs) / 1000, samples: [...this.ring] };
  }

  private async take(): Promise<void> {
    let reading: SampleReading;
    try {
      reading = await this.o.read();
    } catch (err) {
      this.o.onError?.(err);
      return;
    }
    const now = this.now();
    const minutes = this.lastAt === undefined ? this.intervalMs / 60_000 : Math.max(1, now - this.lastAt) / 60_000;
    const perMinute = Math.round((this.created / minutes) * 100) / 100;
    this.created = 0;
    this.lastAt = now;
    this.ring.push({ at: new Date(now).toISOString(), ...reading, workersCreatedPerMinute: perMinute });
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }
}

/** The reading the control plane samples: job and worker counts from their services, SLIs from the SLO engine. */
export function platformReading(d: {
  jobs: Pick<JobService, 'countByState'>;
  workers: Pick<WorkerService, 'live'>;
  slo: Pick<SloEngine, 'tracker' | 'slos'>;
}): () => Promise<SampleReading> {
  return async () => {
    const [jobs, workers] = await Promise.all([d.jobs.countByState(), d.workers.live()]);
    // evaluate(), not report(): sampling must not record SLO transitions of its own.
    const { slis } = d.slo.tracker.evaluate(d.slo.slos);
    return {
      activeWorkers: workers.length,
      jobsQueued: jobs.queued,
      jobsRunning: jobs.provisioning + jobs.assigned + jobs.running,
      podCreationP95Seconds: slis.currentPodCreationTime,
      apiErrorRate: slis.currentApiErrorRate,
    };
  };
}

