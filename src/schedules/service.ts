// Schedules as users see them: create, read (with last and next run and last result), change,
// delete. Firing lives in ticker.ts.
import { ValidationError, HodeiError } from '../errors/errors.js';
import { normalizeSpec } from '../jobs/submission.js';
import type { ScheduleRecord, ScheduleRun, ScheduleSpec, Store } from '../store/store.js';
import type { TemplateService } from '../templates/service.js';
import { parseCron } from './cron.js';

export interface ScheduleInput extends Partial<Omit<ScheduleSpec, 'job' | 'template'>> {
  name?: string;
  cron: string;
  /** The job of every run, or: */
  job?: ScheduleSpec['job'];
  /** a template (with `params`, optionally `templateVersion`) every run is made from. */
  template?: string;
  templateVersion?: number;
  params?: Record<string, string>;
}

export interface ScheduleView extends ScheduleSpec {
  name: string;
  createdAt: string;
  updatedAt: string;
  lastRun: ScheduleRun | null;
  /** The result of the latest run: missed, or its job's state (succeeded, running...). */
  lastResult: string | null;
  /** The next tick (null when suspended). */
  nextRun: string | null;
}

const DEFAULTS = {
  timezone: 'UTC', concurrencyPolicy: 'Allow', startingDeadlineSeconds: null, suspend: false,
  successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
} as const satisfies Partial<ScheduleSpec>;

export class ScheduleService {
  constructor(private readonly store: Store, private readonly now: () => Date = () => new Date(), private readonly templates?: TemplateService) {}

  async create(input: ScheduleInput & { name: string }): Promise<ScheduleView> {
    const { name, ...rest } = input;
    return this.view(await this.store.createSchedule(name, await this.toSpec(rest), this.now()));
  }

  async get(name: string): Promise<ScheduleView> {
    return this.view(await this.record(name));
  }

  async list(): Promise<ScheduleView[]> {
    return Promise.all((await this.store.listSchedules()).map((s) => this.view(s)));
  }

  /** Changes the given fields; the cron, zone and job are checked again. */
  async patch(name: string, p: Partial<ScheduleInput>): Promise<ScheduleView> {
    const { template: currentTemplate, ...current } = (await this.record(name)).spec;
    // A new job replaces the template and a new template the job; otherwise the template stays.
    const keep = p.job === undefined && p.template === undefined && currentTemplate
      ? { template: currentTemplate.name, params: currentTemplate.params, ...(currentTemplate.version ? { templateVersion: currentTemplate.version } : {}) } : {};
    const base = p.template !== undefined ? (({ job: _j, ...r }) => r)(current) : current;
    const updated = await this.store.updateSchedule(name, await this.toSpec({ ...base, ...keep, ...p }), this.now());
    if (!updated) throw notFound(name);
    return this.view(updated);
  }

  async delete(name: string): Promise<void> {
    if (!(await this.store.deleteSchedule(name))) throw notFound(name);
  }

  runs(name: string, limit = 50): Promise<ScheduleRun[]> {
    return this.store.scheduleRuns(name, limit);
  }

  private async record(name: string): Promise<ScheduleRecord> {
    const s = await this.store.getSchedule(name);
    if (!s) throw notFound(name);
    return s;
  }

  private async view(s: ScheduleRecord): Promise<ScheduleView> {
    const [lastRun] = await this.store.scheduleRuns(s.name, 1);
    const next = s.spec.suspend ? null : parseCron(s.spec.cron, s.spec.timezone).nextRun(this.now());
    return {
      name: s.name, ...s.spec, createdAt: s.createdAt, updatedAt: s.updatedAt,
      lastRun: lastRun ?? null,
      lastResult: lastRun ? (lastRun.result === 'missed' ? 'missed' : lastRun.jobState ?? 'deleted') : null,
      nextRun: next ? next.toISOString() : null,
    };
  }

  /** Checks the cron, zone and job (or renders the template, so a bad one is refused now). */
  private async toSpec(input: Omit<ScheduleInput, 'name'>): Promise<ScheduleSpec> {
    const { template, templateVersion, params, job: given, ...fields } = input;
    if (template !== undefined && given !== undefined) throw new ValidationError('template: give job or template, not both', { field: 'template', rule: 'job or template' });
    let job = given;
    let ref: ScheduleSpec['template'];
    if (template !== undefined) {
      if (!this.templates) throw new ValidationError('template: templates are not available on this server', { field: 'template' });
      const req = { template, params: params ?? {}, ...(templateVersion !== undefined ? { templateVersion } : {}) };
      const { secrets: _s, ...rendered } = await this.templates.jobSpec(req);
      job = rendered;
      ref = { name: template, params: params ?? {}, ...(templateVersion !== undefined ? { version: templateVersion } : {}) };
    }
    if (job === undefined) throw new ValidationError('job: is required (or template)', { field: 'job', rule: 'is required' });
    const spec: ScheduleSpec = { ...DEFAULTS, ...fields, job, ...(ref ? { template: ref } : {}) };
    parseCron(spec.cron, spec.timezone);
    if (job.runAt !== undefined) throw new ValidationError('job.runAt: a schedule\'s job starts at its tick; leave runAt out', { field: 'job.runAt' });
    if (job.dependsOn?.length) throw new ValidationError('job.dependsOn: a scheduled job cannot depend on other jobs', { field: 'job.dependsOn' });
    const { secrets: _secrets, ...normalized } = normalizeSpec({ ...job, secrets: {} });
    return { ...spec, job: normalized };
  }
}

const notFound = (name: string): HodeiError => new HodeiError('SCHEDULE_NOT_FOUND', `schedule '${name}' not found`, { name });
