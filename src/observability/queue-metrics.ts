// Metrics and events of queues and schedules. Gauges are read from the store at scrape time (every
// replica reports the same truth); counters and events follow the job bus and the schedule ticker.
// Every series exists at 0 from the first scrape: the default queue, every configured queue and
// schedule, every deletion reason.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobState } from '../domain/job.js';
import type { JobService } from '../jobs/service.js';
import { SCHEDULE_DELAY_BUCKETS } from '../providers/kubernetes/slo-config.js';
import type { ScheduleTicker } from '../schedules/ticker.js';
import { TICK_LABEL } from '../schedules/ticker.js';
import type { EventSource } from './events/types.js';

const QUEUE_STATES = ['scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running'] as const satisfies readonly JobState[];
const DELETE_REASONS = ['history_limit', 'ttl', 'retention', 'api'] as const;

/** The SLO engine's window for the schedule punctuality SLI (SliTracker), fed at the same points as the metrics. */
export interface SchedulePunctualityRecorder {
  recordScheduleStart(seconds: number): void;
  recordScheduleMissed(count?: number): void;
}

export function observeQueues(o: {
  registry: Registry; jobs: JobService; ticker: ScheduleTicker; events: EventSource; sli?: SchedulePunctualityRecorder; now?: () => Date;
}): void {
  const { registry, jobs, ticker, events, sli } = o;
  const store = jobs.store;
  const now = o.now ?? (() => new Date());
  const registers = [registry];

  /** One store read per scrape, shared by the queue gauges. */
  let snapshot: Promise<{ at: Date; names: string[]; stats: Awaited<ReturnType<typeof store.queueStats>>; paused: Set<string> }> | null = null;
  const read = () => {
    snapshot ??= (async () => {
      const at = now();
      const [stats, queues] = await Promise.all([store.queueStats(at), store.listQueues()]);
      const names = [...new Set(['default', ...queues.map((q) => q.name), ...stats.map((s) => s.queue)])];
      return { at, names, stats, paused: new Set(queues.filter((q) => q.paused).map((q) => q.name)) };
    })().finally(() => setTimeout(() => { snapshot = null; }, 0));
    return snapshot;
  };

  new Gauge({
    name: 'hodei_queue_jobs', help: 'Unfinished jobs per queue and state.', labelNames: ['queue', 'state'], registers,
    async collect() {
      const s = await read();
      for (const q of s.names) {
        const st = s.stats.find((x) => x.queue === q);
        for (const state of QUEUE_STATES) this.set({ queue: q, state }, st?.counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'hodei_queue_oldest_queued_seconds', help: 'How long the longest-waiting due queued job of the queue has waited (0: none waits).', labelNames: ['queue'], registers,
    async collect() {
      const s = await read();
      for (const q of s.names) {
        const due = s.stats.find((x) => x.queue === q)?.oldestDueAt;
        this.set({ queue: q }, due ? Math.max(0, (s.at.getTime() - Date.parse(due)) / 1000) : 0);
      }
    },
  });
  new Gauge({
    name: 'hodei_queue_paused', help: '1 when the queue is paused.', labelNames: ['queue'], registers,
    async collect() {
      const s = await read();
      for (const q of s.names) this.set({ queue: q }, s.paused.has(q) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hodei_queue_last_start_timestamp_seconds', help: 'Unix time of the latest job start in the queue (0: none yet).', labelNames: ['queue'], registers,
    async collect() {
      const s = await read();
      for (const q of s.names) {
        const last = s.stats.find((x) => x.queue === q)?.lastStartedAt;
        this.set({ queue: q }, last ? Date.parse(last) / 1000 : 0);
      }
    },
  });

  const runs = new Counter({
    name: 'hodei_schedule_runs_total', help: 'Schedule ticks by result: triggered (a job was made) or missed.', labelNames: ['schedule', 'result'], registers,
    async collect() {
      for (const s of await store.listSchedules()) for (const result of ['triggered', 'missed']) this.inc({ schedule: s.name, result }, 0);
    },
  });
  const startDelay = new Histogram({ name: 'hodei_schedule_start_delay_seconds', help: 'From a schedule tick to its job running.', buckets: [...SCHEDULE_DELAY_BUCKETS], registers });
  const deduplicated = new Counter({ name: 'hodei_jobs_deduplicated_total', help: 'Submissions answered with an existing job (idempotency key replay or singleton key).', registers });
  const deleted = new Counter({ name: 'hodei_jobs_deleted_total', help: 'Finished jobs deleted, by reason.', labelNames: ['reason'], registers });
  for (const reason of DELETE_REASONS) deleted.inc({ reason }, 0);

  ticker.events.on('schedule.triggered', (ev) => {
    runs.inc({ schedule: ev.schedule, result: 'triggered' });
    events.record('schedule.triggered', { jobId: ev.jobId, details: { schedule: ev.schedule, tick: ev.tick.toISOString(), job_id: ev.jobId } });
  });
  ticker.events.on('schedule.missed', (ev) => {
    runs.inc({ schedule: ev.schedule, result: 'missed' }, ev.count ?? 1);
    sli?.recordScheduleMissed(ev.count ?? 1);
    events.record('schedule.missed', { details: { schedule: ev.schedule, tick: ev.tick.toISOString(), reason: ev.reason } });
  });
  jobs.bus.on('job.deduplicated', (ev) => {
    deduplicated.inc();
    events.record('job.deduplicated', { jobId: ev.job.id, details: { job_id: ev.job.id, cause: ev.cause } });
  });
  jobs.bus.on('job.skipped', (job) => {
    events.record('job.skipped', { jobId: job.id, details: { job_id: job.id, reason: job.reason ?? 'DependencyFailed', message: job.message ?? '' } });
  });
  jobs.bus.on('queue.paused', (ev) => events.record('queue.paused', { details: ev }));
  jobs.bus.on('jobs.deleted', (ev) => deleted.inc({ reason: ev.reason }, ev.count));
  jobs.bus.on('job.changed', (job) => {
    const tick = job.spec.labels[TICK_LABEL];
    const last = job.transitions.at(-1);
    if (job.state !== 'running' || last?.state !== 'running' || tick === undefined) return;
    const delay = Math.max(0, Date.parse(last.at) / 1000 - Number(tick));
    startDelay.observe(delay);
    sli?.recordScheduleStart(delay);
  });
}
