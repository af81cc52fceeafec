// /v1/schedules: cron schedules whose every run is an ordinary job (Kubernetes CronJob fields).
import type { FastifyInstance } from 'fastify';
import { jobSubmissionSchema, QUEUE_NAME_PATTERN } from '../../jobs/spec-schema.js';
import type { ScheduleInput, ScheduleService } from '../../schedules/service.js';
import { errorSchema } from '../schemas.js';
import { PARAM_NAME_PATTERN } from './templates.js';

const nameParams = {
  type: 'object', required: ['name'],
  properties: { name: { type: 'string', pattern: QUEUE_NAME_PATTERN, description: 'a schedule name (lowercase letters, digits, - _ ., at most 63)' } },
} as const;

// A schedule's job: a job submission without secrets (they would be stored in the schedule),
// runAt (the tick is the start) or dependsOn.
const { secrets: _s, runAt: _r, dependsOn: _d, ...jobProperties } = jobSubmissionSchema.properties;
const scheduleJob = { type: 'object', additionalProperties: false, required: ['command'], properties: jobProperties } as const;

const fields = {
  cron: { type: 'string', minLength: 1, maxLength: 200, description: '5 fields, 6 with leading seconds, or a macro like @hourly' },
  timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'an IANA time zone like Europe/Madrid' },
  job: scheduleJob,
  concurrencyPolicy: { type: 'string', enum: ['Allow', 'Forbid', 'Replace'] },
  startingDeadlineSeconds: { type: ['integer', 'null'], minimum: 1, maximum: 30 * 86400 },
  suspend: { type: 'boolean' },
  successfulJobsHistoryLimit: { type: 'integer', minimum: 0, maximum: 1000 },
  failedJobsHistoryLimit: { type: 'integer', minimum: 0, maximum: 1000 },
  template: { type: 'string', pattern: QUEUE_NAME_PATTERN, description: 'make every run from this template (instead of job)' },
  templateVersion: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'pin this version of the template (default: the latest at each run)' },
  params: { type: 'object', propertyNames: { type: 'string', pattern: PARAM_NAME_PATTERN }, additionalProperties: { type: 'string', maxLength: 4096 }, maxProperties: 64, description: 'values of the template\'s parameters' },
} as const;

const createBody = {
  type: 'object', additionalProperties: false, required: ['name', 'cron'],
  properties: { name: nameParams.properties.name, ...fields },
} as const;
const patchBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: fields } as const;

const run = {
  type: ['object', 'null'],
  properties: { tick: { type: 'string' }, result: { type: 'string' }, jobId: { type: ['string', 'null'] }, jobState: { type: ['string', 'null'] }, reason: { type: ['string', 'null'] }, recordedAt: { type: 'string' } },
} as const;
const view = {
  type: 'object',
  properties: {
    name: { type: 'string' }, cron: { type: 'string' }, timezone: { type: 'string' }, job: { type: 'object', additionalProperties: true },
    concurrencyPolicy: { type: 'string' }, startingDeadlineSeconds: { type: ['integer', 'null'] }, suspend: { type: 'boolean' },
    successfulJobsHistoryLimit: { type: 'integer' }, failedJobsHistoryLimit: { type: 'integer' },
    template: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' }, params: { type: 'object', additionalProperties: { type: 'string' } } } },
    createdAt: { type: 'string' }, updatedAt: { type: 'string' }, lastRun: run, lastResult: { type: ['string', 'null'] }, nextRun: { type: ['string', 'null'] },
  },
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema };

export function scheduleRoutes(app: FastifyInstance, schedules: ScheduleService): void {
  app.get('/v1/schedules', {
    schema: { summary: 'List schedules with last and next run and last result', tags: ['schedules'], response: { 200: { type: 'object', properties: { schedules: { type: 'array', items: view } } }, ...errors } },
  }, async () => ({ schedules: await schedules.list() }));

  app.post<{ Body: ScheduleInput & { name: string } }>('/v1/schedules', {
    schema: { summary: 'Create a schedule (its runs from job, or from template + params)', tags: ['schedules'], body: createBody, response: { 201: view, ...errors } },
  }, async (req, reply) => {
    const s = await schedules.create(req.body);
    return reply.status(201).header('location', `/v1/schedules/${s.name}`).send(s);
  });

  app.get<{ Params: { name: string } }>('/v1/schedules/:name', {
    schema: { summary: 'Get a schedule', tags: ['schedules'], params: nameParams, response: { 200: view, ...errors } },
  }, (req) => schedules.get(req.params.name));

  app.get<{ Params: { name: string }; Querystring: { limit: number } }>('/v1/schedules/:name/runs', {
    schema: {
      summary: 'Recent runs of a schedule, newest first (triggered or missed)', tags: ['schedules'], params: nameParams,
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } } },
      response: { 200: { type: 'object', properties: { runs: { type: 'array', items: run } } }, ...errors },
    },
  }, async (req) => ({ runs: await schedules.runs(req.params.name, req.query.limit) }));

  app.patch<{ Params: { name: string }; Body: Partial<ScheduleInput> }>('/v1/schedules/:name', {
    schema: { summary: 'Change a schedule (suspend, cron, job...)', tags: ['schedules'], params: nameParams, body: patchBody, response: { 200: view, ...errors } },
  }, (req) => schedules.patch(req.params.name, req.body));

  app.delete<{ Params: { name: string } }>('/v1/schedules/:name', {
    schema: { summary: 'Delete a schedule (its jobs stay)', tags: ['schedules'], params: nameParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await schedules.delete(req.params.name);
    return reply.status(204).send();
  });
}
