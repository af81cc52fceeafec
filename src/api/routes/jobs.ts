// /v1/jobs: submit, read, list, cancel.
import type { FastifyInstance } from 'fastify';
import type { JobSpec, JobState } from '../../domain/job.js';
import { JOB_STATES } from '../../domain/job.js';
import { ValidationError } from '../../errors/errors.js';
import type { JobService } from '../../jobs/service.js';
import { jobSubmissionSchema, jobSubmittedSchema, jobViewSchema, warningHeader } from '../../jobs/spec-schema.js';
import { errorSchema, idParams } from '../schemas.js';

interface ListQuery { state?: JobState; label?: string | string[]; limit: number; cursor?: string }

export function jobRoutes(app: FastifyInstance, jobs: JobService): void {
  app.post<{ Body: JobSpec }>('/v1/jobs', {
    schema: {
      summary: 'Queue a job', tags: ['jobs'], body: jobSubmissionSchema,
      response: { 201: jobSubmittedSchema, 400: errorSchema, 401: errorSchema, 413: errorSchema },
    },
  }, async (req, reply) => {
    const job = await jobs.submit(req.body);
    const warnings = jobs.warningsFor(req.body);
    if (warnings.length) void reply.header('warning', warningHeader(warnings));
    return reply.status(201).header('location', `/v1/jobs/${job.id}`).send({ ...job, warnings });
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
    const { state, limit, cursor } = req.query;
    const labels = parseLabels(req.query.label);
    return jobs.list({ limit, ...(state ? { state } : {}), ...(cursor ? { cursor } : {}), ...(labels ? { labels } : {}) });
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
