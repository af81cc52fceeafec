// Fires schedules: every replica runs this loop; the unique (schedule, tick) run row makes each
// tick fire once. Kubernetes CronJob semantics: a tick not started within startingDeadlineSeconds
// is recorded missed (never run late); without a deadline only the latest late tick runs;
// concurrencyPolicy Forbid holds a tick while the previous run is unfinished (until its deadline),
// Replace cancels the previous run first.
import { EventEmitter } from 'node:events';
import { isTerminal, type JobSpec } from '../domain/job.js';
import type { TemplateService } from '../templates/service.js';
import type { JobService } from '../jobs/service.js';
import type { Logger } from '../observability/logger.js';
import type { ScheduleRecord, Store } from '../store/store.js';
import { parseCron, ticksBetween } from './cron.js';

export const SCHEDULE_LABEL = 'hodei.io/schedule';
export const TICK_LABEL = 'hodei.io/schedule-tick';

export interface ScheduleEvents {
  'schedule.triggered': [ev: { schedule: string; tick: Date; jobId: string }];
  /** `count`: ticks this event stands for (several, when a long outage is summarised). @defaultValue 1 */
  'schedule.missed': [ev: { schedule: string; tick: Date; reason: string; count?: number }];
}

/** Most ticks looked at per schedule and pass (a long outage of a per-second schedule). */
const MAX_TICKS = 5000;
/** Of the ticks missed in one pass, how many get a run row of their own (the count is in the metric). */
const MAX_MISSED_ROWS = 20;

export class ScheduleTicker {
  readonly events = new EventEmitter<ScheduleEvents>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly jobs: JobService,
    private readonly log: Logger,
    private readonly intervalMs = 250,
    private readonly now: () => Date = () => new Date(),
    /** Renders the runs of schedules made from a template. */
    private readonly templates?: TemplateService,
  ) {}

  private get store(): Store {
    return this.jobs.store;
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.tick().catch((err: unknown) => this.log.error({ err }, 'schedule pass failed'))
        .finally(() => { if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs); });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over every schedule. */
  async tick(): Promise<void> {
    for (const s of await this.store.listSchedules()) {
      if (s.spec.suspend) continue;
      await this.fire(s).catch((err: unknown) => this.log.error({ err, schedule: s.name }, 'schedule failed to fire'));
    }
  }

  private async fire(s: ScheduleRecord): Promise<void> {
    const now = this.now();
    const cron = parseCron(s.spec.cron, s.spec.timezone);
    const due = ticksBetween(cron, new Date(s.lastTick), now, MAX_TICKS);
    if (due.length === 0) return;
    const deadline = s.spec.startingDeadlineSeconds;
    // Ticks too late to start: past the deadline, or (no deadline) all but the latest.
    const late = deadline === null ? due.slice(0, -1) : due.filter((t) => now.getTime() - t.getTime() > deadline * 1000);
    const startable = due.slice(late.length);
    const active = await this.activeRuns(s.name);
    const forbidReason = s.spec.concurrencyPolicy === 'Forbid' && active.length > 0 ? `Forbid: run ${active[0]} still active` : null;
    let missedRows = late.length - MAX_MISSED_ROWS;
    for (const t of late) {
      if (missedRows-- > 0) continue; // counted below, no row of its own
      await this.missed(s.name, t, forbidReason ?? `not started within startingDeadlineSeconds (${deadline ?? 0} s)`, now);
    }
    if (late.length > MAX_MISSED_ROWS) {
      const count = late.length - MAX_MISSED_ROWS;
      this.events.emit('schedule.missed', { schedule: s.name, tick: late[0] ?? now, reason: `${count} more ticks missed`, count });
    }
    for (const t of startable) {
      if (forbidReason) {
        // Held until its deadline passes (then recorded missed); without one, missed at once.
        if (deadline === null) await this.missed(s.name, t, forbidReason, now);
        return;
      }
      if (s.spec.concurrencyPolicy === 'Replace') {
        for (const id of active) await this.jobs.cancel(id).catch(() => undefined);
      }
      await this.trigger(s, t, now);
    }
  }

  private async activeRuns(name: string): Promise<string[]> {
    const runs = await this.store.scheduleRuns(name, 20);
    return runs.filter((r) => r.jobId !== null && r.jobState !== null && !isTerminal(r.jobState)).map((r) => r.jobId ?? '');
  }

  private async missed(name: string, tick: Date, reason: string, now: Date): Promise<void> {
    const r = await this.store.recordScheduleRun(name, tick, { missedReason: reason }, now);
    if (!r.recorded) return;
    this.log.warn({ schedule: name, tick: tick.toISOString(), reason }, 'schedule run missed');
    this.events.emit('schedule.missed', { schedule: name, tick, reason });
  }

  /** The job of a run: the schedule's, or its template rendered now (a template gone or broken misses the tick). */
  private async runJob(s: ScheduleRecord): Promise<JobSpec | string> {
    const t = s.spec.template;
    if (!t) return { ...s.spec.job, secrets: {} };
    if (!this.templates) return 'template: templates are not available on this server';
    try {
      return await this.templates.jobSpec({ template: t.name, params: t.params, ...(t.version !== undefined ? { templateVersion: t.version } : {}) });
    } catch (err) {
      return `template: ${(err as Error).message}`;
    }
  }

  private async trigger(s: ScheduleRecord, tick: Date, now: Date): Promise<void> {
    const spec = await this.runJob(s);
    if (typeof spec === 'string') {
      await this.missed(s.name, tick, spec, now);
      return;
    }
    const labels = { ...spec.labels, [SCHEDULE_LABEL]: s.name, [TICK_LABEL]: String(Math.floor(tick.getTime() / 1000)) };
    const job = this.jobs.prepare({ ...spec, labels });
    const r = await this.store.recordScheduleRun(s.name, tick, { job }, now);
    if (!r.recorded || !r.jobId) return;
    const made = await this.store.getJob(r.jobId);
    if (made) this.jobs.announce(made);
    this.log.info({ schedule: s.name, tick: tick.toISOString(), jobId: r.jobId }, 'schedule triggered');
    this.events.emit('schedule.triggered', { schedule: s.name, tick, jobId: r.jobId });
    await this.jobs.pruneFinished({ [SCHEDULE_LABEL]: s.name }, s.spec.successfulJobsHistoryLimit, s.spec.failedJobsHistoryLimit);
  }
}
