// Templates as users see them: save (each save of a name is a new version), read (any version),
// list, delete, and the job a template makes with parameters, for POST /v1/jobs and schedules.
import type { JobSpec } from '../domain/job.js';
import { HodeiError, ValidationError } from '../errors/errors.js';
import type { Store, TemplateRecord, TemplateSpec } from '../store/store.js';
import { checkTemplate, renderTemplate } from './render.js';

/** A job asked for by template: the name, optionally a version (else the latest), the values. */
export interface TemplateRequest {
  template: string;
  templateVersion?: number;
  params?: Record<string, string>;
}

/** What a submission by template may set on top of the template's job (per-run fields); the rest is the template's. */
const PER_RUN = ['queue', 'priority', 'runAt', 'key', 'dependsOn', 'timeoutSeconds', 'retryPolicy', 'ttlSecondsAfterFinished'] as const;
/** Fields only a template sets: giving them with `template` is refused rather than silently ignored. */
const TEMPLATE_ONLY = ['command', 'image', 'workingDir', 'egress'] as const;

export class TemplateService {
  constructor(private readonly store: Store, private readonly now: () => Date = () => new Date()) {}

  async save(name: string, spec: TemplateSpec): Promise<TemplateRecord> {
    checkTemplate(spec);
    return this.store.saveTemplate(name, { job: spec.job, parameters: spec.parameters, ...(spec.description ? { description: spec.description } : {}) }, this.now());
  }

  async get(name: string, version?: number): Promise<TemplateRecord> {
    const t = await this.store.getTemplate(name, version);
    if (!t) throw new HodeiError('TEMPLATE_NOT_FOUND', version === undefined ? `template '${name}' not found` : `template '${name}' has no version ${version}`, { name, ...(version === undefined ? {} : { version }) });
    return t;
  }

  list(): Promise<TemplateRecord[]> {
    return this.store.listTemplates();
  }

  async versions(name: string): Promise<TemplateRecord[]> {
    const all = await this.store.templateVersions(name);
    if (all.length === 0) await this.get(name); // throws the not-found
    return all;
  }

  async delete(name: string): Promise<void> {
    if (!(await this.store.deleteTemplate(name))) await this.get(name);
  }

  /**
   * The job spec a submission by template makes: the rendered template, with the submission's
   * per-run fields, its labels, env and secrets added, and the template recorded on the job.
   */
  async jobSpec(req: TemplateRequest, extra: Partial<JobSpec> = {}): Promise<JobSpec> {
    for (const f of TEMPLATE_ONLY) {
      if (extra[f] !== undefined) throw new ValidationError(`${f}: comes from template '${req.template}'; leave it out`, { field: f, rule: 'not with template' });
    }
    if (extra.args?.length) throw new ValidationError(`args: come from template '${req.template}'; use params`, { field: 'args', rule: 'not with template' });
    if (extra.resources && Object.keys(extra.resources).length > 0) throw new ValidationError(`resources: come from template '${req.template}'`, { field: 'resources', rule: 'not with template' });
    const { job, ref } = renderTemplate(await this.get(req.template, req.templateVersion), req.params ?? {});
    const perRun = Object.fromEntries(PER_RUN.filter((f) => extra[f] !== undefined).map((f) => [f, extra[f]]));
    return {
      ...job, ...perRun,
      env: { ...job.env, ...extra.env }, labels: { ...job.labels, ...extra.labels }, secrets: extra.secrets ?? {},
      template: ref,
    };
  }
}
