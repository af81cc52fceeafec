// /v1/jobs: submit, read, list, cancel.
import type { FastifyInstance } from 'fastify';
import type { JobSpec, JobState } from '../../domain/job.js';
import { DEAD_JOB_STATES, JOB_STATES } from '../../domain/job.js';
import { ValidationError } from '../../errors/errors.js';
import type { JobService } from '../../jobs/service.js';
import { jobSubmissionSchema, jobSubmittedSchema, jobViewSchema, QUEUE_NAME_PATTERN, warningHeader } from '../../jobs/spec-schema.js';
import type { TemplateRequest, TemplateService } from '../../templates/service.js';
import { PARAM_NAME_PATTERN } from './templates.js';
import { errorSchema, idParams } from '../schemas.js';

/** POST /v1/jobs: a job submission, or a template with parameters plus per-run fields. */
const { $id: _id, required: _req, ...submission } = jobSubmissionSchema;
export const jobRequestSchema = {
  ...submission,
  $id: 'JobRequest',
  properties: {
    ...submission.properties,
    template: { type: 'string', pattern: QUEUE_NAME_PATTERN, description: 'make the job from this template (instead of command)' },
    templateVersion: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'that version of the template (default: the latest)' },
    params: { type: 'object', propertyNames: { type: 'string', pattern: PARAM_NAME_PATTERN }, additionalProperties: { type: 'string', maxLength: 4096 }, maxProperties: 64, description: 'values of the template\'s parameters' },
  },
} as const;

type JobRequest = Partial<JobSpec> & Partial<TemplateRequest>;

interface ListQuery { state?: JobState; dead?: boolean; label?: string | string[]; limit: number; cursor?: string }

export function jobRoutes(app: FastifyInstance, jobs: JobService, templates?: TemplateService): void {
  /** The job spec a request asks for: as given, or rendered from its template. */
  const specOf = async (body: JobRequest): Promise<JobSpec> => {
    const { template, templateVersion, params, ...rest } = body;
    if (template === undefined) {
      if (templateVersion !== undefined || params !== undefined) throw new ValidationError('body template: is required with templateVersion or params', { field: 'template', rule: 'is required with params' });
      if (rest.command === undefined) throw new ValidationError('body command: is required (or template)', { field: 'command', rule: 'is required' });
      return rest as JobSpec;
    }
    if (!templates) throw new ValidationError('body template: templates are not available on this server', { field: 'template' });
    return templates.jobSpec({ template, ...(templateVersion !== undefined ? { templateVersion } : {}), ...(params ? { params } : {}) }, rest);
  };

  app.post<{ Body: JobRequest; Headers: { 'idempotency-key'?: string } }>('/v1/jobs', {
    schema: {
      summary: 'Queue a job (201); an Idempotency-Key replay or a held singleton key answers the existing job (200)', tags: ['jobs'],
      body: jobRequestSchema,
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', description: 'printable ASCII, at most 255' } } },
      response: { 200: jobSubmittedSchema, 201: jobSubmittedSchema, 400: errorSchema, 401: errorSchema, 413: errorSchema, 422: errorSchema },
    },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const spec = await specOf(req.body);
    const r = await jobs.submit(spec, key ? { idempotencyKey: key, body: req.body } : {});
    const warnings = jobs.warningsFor(spec);
    if (warnings.length) void reply.header('warning', warningHeader(warnings));
    return reply.status(r.created ? 201 : 200).header('location', `/v1/jobs/${r.job.id}`).send({ ...r.job, warnings });
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', {
    schema: { summary: 'Get a job', tags: ['jobs'], params: idParams, response: { 200: jobViewSchema, 404: errorSchema } },
  }, (req) => jobs.get(req.params.id));

  app.get<{ Querystring: ListQuery }>('/v1/jobs', {
    schema: {
      summary: 'List jobs, newest first', tags: ['jobs'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          state: { type: 'string', enum: [...JOB_STATES] },
          dead: { type: 'boolean', description: 'only dead letters: jobs that ended failed or timed_out (attempts exhausted or a reason not retried)' },
          label: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 16 }], description: 'key=value, repeatable' },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          cursor: { type: 'string', maxLength: 512 },
        },
      },
      response: {
        200: { type: 'object', properties: { jobs: { type: 'array', items: jobViewSchema }, nextCursor: { type: ['string', 'null'] } } },
        400: errorSchema,
      },
    },
  }, (req) => {
    const { state, limit, cursor, dead } = req.query;
    const labels = parseLabels(req.query.label);
    if (dead && state && !DEAD_JOB_STATES.includes(state)) {
      throw new ValidationError(`querystring state: a dead job is ${DEAD_JOB_STATES.join(' or ')}, not ${state}`, { field: 'state', rule: 'with dead=true: failed or timed_out' });
    }
    const states = dead ? { states: state ? [state] : DEAD_JOB_STATES } : state ? { state } : {};
    return jobs.list({ limit, ...states, ...(cursor ? { cursor } : {}), ...(labels ? { labels } : {}) });
  });

  app.delete<{ Params: { id: string } }>('/v1/jobs/:id', {
    schema: { summary: 'Delete a finished job with its logs and history', tags: ['jobs'], params: idParams, response: { 204: { type: 'null' }, 404: errorSchema, 409: errorSchema } },
  }, async (req, reply) => {
    await jobs.delete(req.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/cancel', {
    schema: { summary: 'Cancel a job that has not ended', tags: ['jobs'], params: idParams, response: { 200: jobViewSchema, 404: errorSchema, 409: errorSchema } },
  }, (req) => jobs.cancel(req.params.id));
}

function parseLabels(raw: string | string[] | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const pair of Array.isArray(raw) ? raw : [raw]) {
    const i = pair.indexOf('=');
    // The value is not echoed: error messages carry nothing of the request.
    if (i <= 0) throw new ValidationError('querystring label: must be key=value', { field: 'label', rule: 'must be key=value' });
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}
