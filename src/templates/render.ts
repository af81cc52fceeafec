// Templates without I/O: a template is a job whose strings may say {{param}} plus the parameters;
// rendering substitutes the values (given, else the default) and checks the result like any job
// submission. Every refusal names the field (`params.db`, `job.args[1]`, `parameters[0].pattern`).
import type { JobSpec, TemplateRef } from '../domain/job.js';
import { ValidationError } from '../errors/errors.js';
import { RE2JS } from 're2js';
import { jobSubmissionSchema } from '../jobs/spec-schema.js';
import type { TemplateParameter, TemplateRecord, TemplateSpec } from '../store/store.js';
import { compileValidator } from '../util/validate.js';

/** `{{ name }}`: a parameter reference inside a string of the template's job. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const { $id: _id, ...submission } = jobSubmissionSchema;
const checkRendered = compileValidator<JobSpec>({ ...submission, properties: { ...submission.properties } }, 'rendered job', 'job');

type TemplateJob = TemplateSpec['job'];

/** Applies `fn` to every string that may hold placeholders: command, args, env values, workingDir, image, label values. */
function mapStrings(job: TemplateJob, fn: (s: string, field: string) => string): TemplateJob {
  const map = (o: Record<string, string>, field: string): Record<string, string> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fn(v, `${field}.${k}`)]));
  return {
    ...job,
    command: fn(job.command, 'job.command'),
    args: job.args.map((a, i) => fn(a, `job.args[${i}]`)),
    env: map(job.env, 'job.env'),
    labels: map(job.labels, 'job.labels'),
    ...(job.workingDir !== undefined ? { workingDir: fn(job.workingDir, 'job.workingDir') } : {}),
    ...(job.image !== undefined ? { image: fn(job.image, 'job.image') } : {}),
  };
}

/**
 * A parameter's pattern, matched against the whole value by RE2 (linear time): a template author's
 * `(a+)+` must not let a caller freeze the control plane with a crafted value, as a backtracking
 * engine would.
 */
function matcher(p: TemplateParameter, i: number): { test(v: string): boolean } | null {
  if (p.pattern === undefined) return null;
  try {
    const re = RE2JS.compile(p.pattern);
    return { test: (v) => re.matches(v) };
  } catch {
    throw new ValidationError(`parameters[${i}].pattern: must be a valid regular expression`, { field: `parameters[${i}].pattern`, rule: 'a valid regular expression' });
  }
}

/**
 * Checks a template before it is saved: unique parameter names, valid patterns, defaults that
 * match them, every placeholder declared, and a job that is valid once the placeholders are
 * replaced (by `x`: so placeholders belong in free-text fields and label values).
 */
export function checkTemplate(spec: TemplateSpec): void {
  const names = new Set<string>();
  spec.parameters.forEach((p, i) => {
    if (names.has(p.name)) throw new ValidationError(`parameters[${i}].name: '${p.name}' is declared twice`, { field: `parameters[${i}].name`, rule: 'unique' });
    names.add(p.name);
    const re = matcher(p, i);
    if (re && p.default !== undefined && !re.test(p.default)) {
      throw new ValidationError(`parameters[${i}].default: must match the parameter's pattern`, { field: `parameters[${i}].default`, rule: `matches ${p.pattern ?? ''}` });
    }
  });
  const sample = mapStrings(spec.job, (s, field) => s.replace(PLACEHOLDER, (_m, name: string) => {
    if (!names.has(name)) throw new ValidationError(`${field}: {{${name}}} is not a declared parameter`, { field, rule: 'placeholders name declared parameters' });
    return 'x';
  }));
  checkRendered({ ...sample, secrets: {} });
}

/** The job a template version makes with these parameter values (secrets and per-run fields are the caller's). */
export function renderTemplate(t: TemplateRecord, given: Record<string, string>): { job: Omit<JobSpec, 'secrets'>; ref: TemplateRef } {
  const declared = new Map(t.parameters.map((p) => [p.name, p]));
  for (const k of Object.keys(given)) {
    if (!declared.has(k)) {
      const known = [...declared.keys()].join(', ') || 'none';
      throw new ValidationError(`params.${k}: is not a parameter of template '${t.name}' (its parameters: ${known})`, { field: `params.${k}`, rule: 'a declared parameter' });
    }
  }
  const values: Record<string, string> = {};
  t.parameters.forEach((p, i) => {
    const v = given[p.name] ?? p.default;
    if (v === undefined) {
      if (p.required) throw new ValidationError(`params.${p.name}: is required by template '${t.name}'`, { field: `params.${p.name}`, rule: 'is required' });
      values[p.name] = '';
      return;
    }
    const re = matcher(p, i);
    if (re && !re.test(v)) throw new ValidationError(`params.${p.name}: must match ${p.pattern ?? ''}`, { field: `params.${p.name}`, rule: `matches ${p.pattern ?? ''}` });
    values[p.name] = v;
  });
  const job = mapStrings(t.job, (s) => s.replace(PLACEHOLDER, (_m, name: string) => values[name] ?? ''));
  const labels = { ...job.labels, [TEMPLATE_LABEL]: t.name, [TEMPLATE_VERSION_LABEL]: String(t.version) };
  const checked = checkRendered({ ...job, labels, secrets: {} });
  const { secrets: _s, ...rendered } = checked;
  return { job: rendered, ref: { name: t.name, version: t.version, params: values } };
}

export const TEMPLATE_LABEL = 'hodei.io/template';
export const TEMPLATE_VERSION_LABEL = 'hodei.io/template-version';
